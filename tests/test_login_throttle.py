"""The sign-in throttle holds across workers and hosts, and cannot lock an officer out.

* The rule on one app: per account from one address, per address, and the account's limit over
  all addresses refusing only addresses that have failed for it; a sign-in clears that address's
  failures; nothing raw is stored; old rows go.
* The same rule through Redis, across two apps (when Redis answers).
* A real ``kiosk serve`` at its default worker count: concurrent wrong passwords from one address
  -- exactly the limit is checked whichever worker answers, the rest get 429 -- and the right
  password from a clean address still signs in while the account is under attack.
"""

from __future__ import annotations

import datetime as dt
import os
import uuid
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session, sessionmaker

from served import Host, SourceClient
from staff import PASSWORD, csrf_token, make_account

WRONG = "not the right passphrase"


def _attempt(app: Flask, address: str, name: str, password: str = WRONG) -> int:
    """One sign-in from ``address`` (a fresh browser); the status."""
    client: FlaskClient = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    token = csrf_token(client.get("/officer/login").get_data(as_text=True))
    return client.post("/officer/login", data={"csrf_token": token, "name": name,
                                               "password": password}).status_code


@pytest.fixture
def throttled(app_factory: Callable[..., Flask]) -> Flask:
    return app_factory(LOGIN_LIMIT_PER_ACCOUNT="3 per minute;10 per hour",
                       LOGIN_LIMIT_PER_ADDRESS="6 per minute", RATELIMIT_KEY_PREFIX=f"test-{uuid.uuid4().hex}")


def _rule_holds(apps: list[Flask], session_factory: sessionmaker[Session]) -> None:
    make_account(session_factory, "officer", "officer.target")
    on = lambda i: apps[i % len(apps)]  # noqa: E731 - each attempt on the next app (host)
    attacker = "10.0.0.66"
    assert [_attempt(on(i), attacker, "officer.target") for i in range(5)] == [401, 401, 401, 429, 429]
    assert _attempt(on(0), attacker, "officer.target", PASSWORD) == 429, "that address is refused"
    # The account is over its limit: addresses that failed for it are refused, others may try once.
    assert _attempt(on(1), "10.0.0.67", "officer.target") == 401
    assert _attempt(on(0), "10.0.0.67", "officer.target") == 429
    assert _attempt(on(1), "10.0.0.68", "officer.target") == 401
    # The officer, at a device that has not failed, signs in during the attack.
    assert _attempt(on(0), "10.0.0.20", "officer.target", PASSWORD) == 303
    assert _attempt(on(1), "10.0.0.21", "officer.target", PASSWORD) == 303
    # A sign-in clears that address's failures for the account: a later mistype is checked, but
    # while the account stays over its limit that address is then refused like any that failed.
    assert _attempt(on(0), "10.0.0.20", "officer.target") == 401
    assert _attempt(on(1), "10.0.0.20", "officer.target", PASSWORD) == 429
    assert _attempt(on(1), "10.0.0.22", "officer.target", PASSWORD) == 303
    # Per address, whatever the account names (six wrong passwords, then 429).
    prowler = "10.0.0.99"
    statuses = [_attempt(on(i), prowler, f"nobody.{i}") for i in range(7)]
    assert statuses == [401] * 6 + [429]
    assert _attempt(on(0), prowler, "officer.target", PASSWORD) == 429


def test_the_rule_on_one_app(throttled: Flask, session_factory: sessionmaker[Session]) -> None:
    _rule_holds([throttled], session_factory)


def test_the_rule_across_hosts_with_redis(app_factory: Callable[..., Flask],
                                          session_factory: sessionmaker[Session]) -> None:
    url = os.environ.get("KIOSK_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    try:
        import redis

        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except Exception:  # noqa: BLE001 - Redis is optional: the database is the default
        pytest.skip(f"Redis is not reachable at {url}")
    prefix = f"test-{uuid.uuid4().hex}"
    hosts = [app_factory(LOGIN_LIMIT_PER_ACCOUNT="3 per minute;10 per hour", LOGIN_LIMIT_PER_ADDRESS="6 per minute",
                         RATELIMIT_KEY_PREFIX=prefix, RATELIMIT_STORAGE_URI=url) for _ in range(2)]
    _rule_holds(hosts, session_factory)
    from directory_data.models import ThrottleEvent

    with session_factory() as session:  # counted in Redis, not in the database
        assert session.scalar(select(func.count()).select_from(ThrottleEvent)) == 0


def test_nothing_raw_is_stored_and_old_rows_go(throttled: Flask, session_factory: sessionmaker[Session]) -> None:
    from directory_data.models import ThrottleEvent

    make_account(session_factory, "officer", "officer.stored")
    assert _attempt(throttled, "10.1.2.3", "officer.stored") == 401
    with session_factory() as session:
        rows = session.execute(text("SELECT * FROM throttle_event")).mappings().all()
        assert len(rows) == 1
        stored = " ".join(str(v) for v in rows[0].values())
        assert "10.1.2.3" not in stored and "officer.stored" not in stored
        session.execute(ThrottleEvent.__table__.update().values(
            at=dt.datetime.now(dt.timezone.utc) - dt.timedelta(hours=2)))
        session.commit()
    assert _attempt(throttled, "10.9.9.9", "someone.else") == 401  # purges rows past the hour
    with session_factory() as session:
        assert session.scalar(select(func.count()).select_from(ThrottleEvent)) == 1


def test_behind_a_trusted_proxy_each_client_is_its_own_address(
    app_factory: Callable[..., Flask], session_factory: sessionmaker[Session]
) -> None:
    app = app_factory(LOGIN_LIMIT_PER_ACCOUNT="2 per minute", TRUSTED_PROXIES=1)
    make_account(session_factory, "officer", "officer.proxied")

    def attempt(client_address: str, password: str = WRONG) -> int:
        client = app.test_client()
        client.environ_base["REMOTE_ADDR"] = "10.0.0.1"  # the proxy
        headers = {"X-Forwarded-For": client_address}
        token = csrf_token(client.get("/officer/login", headers=headers).get_data(as_text=True))
        return client.post("/officer/login", headers=headers, data={
            "csrf_token": token, "name": "officer.proxied", "password": password}).status_code

    assert [attempt("203.0.113.9") for _ in range(3)] == [401, 401, 429]
    assert attempt("198.51.100.7", PASSWORD) == 303, "the officer, behind the same proxy"


def test_rates_are_parsed_strictly() -> None:
    from directory_data.throttle import Rate, parse_rates

    assert parse_rates("5 per minute;20 per hour") == (Rate(5, 60), Rate(20, 3600))
    assert parse_rates("3/second; 10 per 2 hours") == (Rate(3, 1), Rate(10, 7200))
    with pytest.raises(ValueError):
        parse_rates("five a minute")


@pytest.mark.slow
def test_limits_hold_exactly_across_the_workers_of_kiosk_serve(
    tmp_path: Path, database_url: str, session_factory: sessionmaker[Session]
) -> None:
    make_account(session_factory, "officer", "officer.shift")
    host = Host(tmp_path / "host", database_url, workers=None, threads=None,
                env={"KIOSK_PREFILL_LISTINGS": "false", "KIOSK_WARM_PAGES": "false"})
    try:
        host.wait_up()
        assert host.workers >= 2

        def wrong(source: str, name: str) -> tuple[int, str]:
            answer = SourceClient(host.url, source).sign_in(name, WRONG)
            return answer.status, answer.worker

        with ThreadPoolExecutor(max_workers=6) as pool:  # at once, on every worker
            per_account = list(pool.map(lambda _: wrong("127.0.0.2", "officer.shift"), range(14)))
        statuses = Counter(status for status, _ in per_account)
        assert statuses == {401: 5, 429: 9}, statuses  # 5 per minute: exactly 5 checked
        workers = {worker for _, worker in per_account}
        # The right password from the attacking address is refused; from a clean one it signs in.
        assert SourceClient(host.url, "127.0.0.2").sign_in("officer.shift", PASSWORD).status == 429
        officer = SourceClient(host.url, "127.0.0.3")
        signed = officer.sign_in("officer.shift", PASSWORD)
        assert signed.status == 303 and "/patrol/" in signed.headers["location"]
        assert officer.request("GET", "/patrol/").status == 200
        # Per address: 20 per minute whatever the names.
        with ThreadPoolExecutor(max_workers=6) as pool:
            per_address = list(pool.map(lambda i: wrong("127.0.0.4", f"nobody.{i}"), range(26)))
        statuses = Counter(status for status, _ in per_address)
        assert statuses == {401: 20, 429: 6}, statuses
        workers |= {worker for _, worker in per_address}
        assert len(workers) >= 2, f"one worker answered everything: {workers}"
    finally:
        host.stop()
