"""No client address, user agent or search text in any log line, whoever writes it: a real
``kiosk serve`` gets searches, throttled sign-ins and writes, and requests gunicorn cannot parse
(with the search text in the request line and the user agent in a bad header), all from a
loopback address of their own; its whole log (gunicorn's lines, the app's, the request lines)
holds none of them."""

from __future__ import annotations

import json
import re
import socket
from pathlib import Path

import pytest

from served import Host, SourceClient

CLIENT = "127.0.0.5"
AGENT = "UniqueAgent/5.5 (agentsecret)"
NEEDLE = "needlesearch"


def _raw(host: Host, data: bytes) -> bytes:
    """Send ``data`` as is from :data:`CLIENT`; what came back."""
    with socket.create_connection(("127.0.0.1", host.port), timeout=30, source_address=(CLIENT, 0)) as conn:
        conn.sendall(data)
        conn.shutdown(socket.SHUT_WR)
        chunks = []
        while chunk := conn.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


@pytest.mark.slow
def test_nothing_about_the_client_reaches_the_log(tmp_path: Path, database_url: str, session_factory: object) -> None:
    host = Host(tmp_path / "host", database_url, workers=2, threads=2, env={
        "KIOSK_LOGIN_LIMIT_PER_ADDRESS": "2 per minute", "KIOSK_ANONYMOUS_WRITE_LIMIT": "1 per minute",
        "KIOSK_SEARCH_COUNTS_INTERVAL": "0"})
    try:
        host.wait_up()
        client = SourceClient(host.url, CLIENT, user_agent=AGENT)
        assert client.request("GET", f"/search?q={NEEDLE}+words").status == 200
        assert client.request("GET", f"/api/v1/search?q={NEEDLE}").status == 200
        assert client.request("GET", f"/api/v1/services?search={NEEDLE}").status == 200
        assert client.request("GET", f"/services/00000000-0000-4000-8000-000000000000?back=/search%3Fq%3D{NEEDLE}").status == 404
        assert client.request("GET", f"/language/es?next=/search%3Fq%3D{NEEDLE}").status == 303
        statuses = [SourceClient(host.url, CLIENT, user_agent=AGENT).sign_in(f"{NEEDLE}.name", NEEDLE).status
                    for _ in range(6)]
        assert statuses[:2] == [401, 401] and 429 in statuses  # throttled (the exact counts: test_login_throttle)
        page = client.request("GET", "/referral").body.decode()
        token = re.search(r'<meta name="csrf-token" content="([^"]+)"', page).group(1)
        writes = [client.request("POST", "/api/v1/referrals", json.dumps({"service_ids": [NEEDLE]}).encode(),
                                 {"Content-Type": "application/json", "X-CSRFToken": token}).status
                  for _ in range(4)]
        assert writes[0] == 400 and 429 in writes
        for bad in (f"GET /search?q={NEEDLE} HTTP/1.1 {NEEDLE}\r\n\r\n".encode(),
                    f"GET /search?q={NEEDLE} HTTP/1.1\r\nUser-Agent: {AGENT}\x01\r\n\r\n".encode(),
                    f"GET / HTTP/1.1\r\nX-{NEEDLE}\x7f: {AGENT}\r\n\r\n".encode(),
                    f"{NEEDLE}\x01 /search HTTP/1.1\r\n\r\n".encode(),
                    f"GET /search?q={NEEDLE}{'x' * 9000} HTTP/1.1\r\n\r\n".encode(),
                    f"GET /search?q={NEEDLE} HTTP/9.9\r\nUser-Agent: {AGENT}\r\n\r\n".encode()):
            assert _raw(host, bad).startswith(b"HTTP/1.1 4"), bad[:60]
    finally:
        host.stop()
    log = host.log_text()
    assert "Invalid request" in log and '"status": 429' in log, "the log holds the lines in question"
    lowered = log.lower()
    for secret in (CLIENT, "agentsecret", "uniqueagent", NEEDLE):
        assert secret.lower() not in lowered, [line for line in log.splitlines() if secret.lower() in line.lower()]
    for line in log.splitlines():
        json.loads(line)  # every line is JSON
    # no KIOSK_PUBLIC_BASE_URL: one warning at start, from the master (not one per worker)
    assert log.count("KIOSK_PUBLIC_BASE_URL is not set") == 1


def test_gunicorns_invalid_request_message_is_cleaned() -> None:
    from kiosk.logs import private_free

    message = f"Invalid request from ip={CLIENT}: Invalid HTTP request line: 'GET /search?q={NEEDLE} x'"
    assert private_free(message, "gunicorn.error") == "Invalid request: Invalid HTTP request line"
    assert private_free("Invalid request from ip=::1: Invalid HTTP Header: 'USER-AGENT'",
                        "gunicorn.error") == "Invalid request: Invalid HTTP Header"
    assert private_free("peer 10.1.2.3 and 2001:db8::5 reset at 12:30:45", "gunicorn.error") == \
        "peer (address) and (address) reset at 12:30:45"
    assert private_free("Listening at: http://127.0.0.1:5000 (1)", "gunicorn.error").endswith("127.0.0.1:5000 (1)")
    assert private_free("GET /r/abcdefABCDEF0123456789/print?auto=1", "kiosk") == "GET /r/.../print?..."
