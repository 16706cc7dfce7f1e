"""``kiosk serve`` (gunicorn) as a real process for tests, and a small HTTP client for it.

Imported as a plain module (pytest puts ``tests/`` on ``sys.path``) by ``test_serving.py`` and
``test_scale_out.py``. :class:`Host` is one app host: its own ``KIOSK_HOME`` and index directory,
gunicorn with N workers, its JSON log in ``HOME/server.log``; ``X-Served-By`` is switched on so a
test can tell which worker answered.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
KIOSK = str(Path(sys.executable).with_name("kiosk"))


def free_port() -> int:
    """A TCP port on 127.0.0.1 nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Answer:
    """One HTTP response: status, headers and body."""

    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body or b"null")

    @property
    def worker(self) -> str:
        """The ``X-Served-By`` header (``host:pid`` of the worker that answered)."""
        return self.headers.get("x-served-by", "")


def fetch(url: str, *, timeout: float = 30.0, data: bytes | None = None,
          headers: dict[str, str] | None = None, opener: urllib.request.OpenerDirector | None = None) -> Answer:
    """GET (or POST ``data``) ``url`` on a new connection; HTTP errors are answers too."""
    request = urllib.request.Request(url, data=data, headers=headers or {})
    try:
        with (opener.open if opener else urllib.request.urlopen)(request, timeout=timeout) as response:
            return Answer(response.status, {k.lower(): v for k, v in response.headers.items()}, response.read())
    except urllib.error.HTTPError as error:
        return Answer(error.code, {k.lower(): v for k, v in error.headers.items()}, error.read())


def kiosk_env(home: Path, database_url: str, **extra: str) -> dict[str, str]:
    """The environment of a host whose instance is ``home`` on ``database_url``."""
    return {
        **os.environ,
        "KIOSK_HOME": str(home),
        "KIOSK_DATABASE_URL": database_url,
        "KIOSK_INDEX_DIR": str(home / "index"),
        "KIOSK_SECRET_KEY": "test-secret",
        "KIOSK_SERVED_BY_HEADER": "true",
        **extra,
    }


class Host:
    """``kiosk serve --workers N`` in its own process group, with its own home and index."""

    def __init__(self, home: Path, database_url: str, *, workers: int | None = 2, threads: int | None = 2,
                 env: dict[str, str] | None = None) -> None:
        """``workers`` / ``threads`` ``None``: ``kiosk serve``'s defaults (no option given)."""
        from kiosk.serving import default_workers

        home.mkdir(parents=True, exist_ok=True)
        self.home = home
        self.index_dir = home / "index"
        self.port = free_port()
        self.workers = workers or default_workers()
        self.log_path = home / "server.log"
        self._log = open(self.log_path, "wb")  # noqa: SIM115 - closed in stop()
        options = [*(["--workers", str(workers)] if workers else []),
                   *(["--threads", str(threads)] if threads else [])]
        self.proc = subprocess.Popen(
            [KIOSK, "serve", "--port", str(self.port), *options],
            cwd=REPO, env=kiosk_env(home, database_url, **(env or {})), stdout=self._log,
            stderr=subprocess.STDOUT, start_new_session=True,
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def get(self, path: str, **kwargs: Any) -> Answer:
        """``GET path`` on this host."""
        return fetch(self.url + path, **kwargs)

    def wait_up(self, timeout: float = 120.0, path: str = "/healthz", every_worker: bool = False) -> None:
        """Wait until every worker has booted and ``path`` answers (any status below 500); with
        ``every_worker``, also until every worker has warmed up (a worker answers only then)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"kiosk serve exited ({self.proc.returncode}): {self.log_text()[-3000:]}")
            if len(self.worker_pids()) >= self.workers:
                try:
                    if self.get(path, timeout=10).status < 500 and (
                            not every_worker or self.log_text().count("warm-up done") >= self.workers):
                        return
                except OSError:
                    pass
            time.sleep(0.1)
        raise AssertionError(f"kiosk serve did not come up: {self.log_text()[-3000:]}")

    def worker_pids(self) -> set[int]:
        """The pids of the gunicorn workers (children of the master process)."""
        pids: set[int] = set()
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == self.proc.pid:
                pids.add(int(stat.parent.name))
        return pids

    def log_text(self) -> str:
        """The host's log so far."""
        if not self._log.closed:
            self._log.flush()
        return self.log_path.read_text(errors="replace")

    def log_records(self) -> list[dict[str, Any]]:
        """Every JSON line of the host's log (other lines fail the caller's assertions)."""
        return [json.loads(line) for line in self.log_text().splitlines() if line.strip()]

    def stop(self, timeout: float = 20.0) -> int:
        """SIGTERM the master (gunicorn stops its workers), SIGKILL the group if it hangs."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=10)
        try:  # workers left behind by a killed master
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self._log.close()
        return self.proc.returncode


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """Hand a redirect back as the answer instead of following it."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


class HttpCaseworker:
    """A caseworker signed in to one host over HTTP, editing listings as a browser does (the
    redirect after a save is not followed: its page is a page view, not part of the edit)."""

    def __init__(self, base_url: str, name: str, password: str) -> None:
        import http.cookiejar

        from staff import csrf_token

        self.base_url = base_url
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), _NoRedirect()
        )
        login = self._fetch("/officer/login")
        token = csrf_token(login.body.decode(), required=False)
        answer = self._post("/officer/login", {"csrf_token": [token], "name": [name], "password": [password]})
        if answer.status != 303 or "/officer/login" in answer.headers.get("location", ""):
            raise AssertionError(f"sign-in failed: {answer.status}")

    def _fetch(self, path: str, data: bytes | None = None) -> Answer:
        return fetch(self.base_url + path, data=data, opener=self.opener)

    def _post(self, path: str, values: dict[str, list[str]]) -> Answer:
        import urllib.parse

        return self._fetch(path, urllib.parse.urlencode(values, doseq=True).encode())

    def edit_listing(self, service_id: str, **changes: str) -> Answer:
        """Load the listing's form, change ``changes`` (form field: value), save; the answer
        (303 when saved, 409 on a conflict, 422 on field errors)."""
        from staff import form_fields

        path = f"/admin/listings/{service_id}"
        page = self._fetch(path)
        if page.status != 200:
            raise AssertionError(f"{path}: {page.status}")
        values = form_fields(page.body.decode(), path)
        for field_name, value in changes.items():
            values[field_name] = [value]
        return self._post(path, values)


class SourceClient:
    """A browser on this machine that connects from a loopback address of its own (any of
    127.0.0.0/8), so a test can be several clients -- and find its address in a log."""

    def __init__(self, base_url: str, source: str, *, user_agent: str = "KioskTest/1.0") -> None:
        parts = urllib.parse.urlsplit(base_url)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self.source = source
        self.user_agent = user_agent
        self.cookie = ""

    def request(self, method: str, path: str, body: bytes | None = None,
                headers: dict[str, str] | None = None) -> Answer:
        """One request on a new connection; the session cookie is kept."""
        import http.client

        connection = http.client.HTTPConnection(self.host, self.port, timeout=60,
                                                source_address=(self.source, 0))
        sent = {"User-Agent": self.user_agent, **(headers or {})}
        if self.cookie:
            sent["Cookie"] = self.cookie
        try:
            connection.request(method, path, body=body, headers=sent)
            response = connection.getresponse()
            answer = Answer(response.status, {k.lower(): v for k, v in response.getheaders()},
                            response.read())
        finally:
            connection.close()
        cookie = answer.headers.get("set-cookie", "")
        if cookie.startswith("kiosk="):
            self.cookie = cookie.split(";", 1)[0]
        return answer

    def sign_in(self, name: str, password: str) -> Answer:
        """Load the sign-in form (for its CSRF token) and post it."""
        from staff import csrf_token

        page = self.request("GET", "/officer/login")
        token = csrf_token(page.body.decode(), required=False)
        form = urllib.parse.urlencode({"csrf_token": token, "name": name, "password": password}).encode()
        return self.request("POST", "/officer/login", form,
                            {"Content-Type": "application/x-www-form-urlencoded"})
