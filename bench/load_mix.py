"""What ``bench/load.py`` sends, the caseworker editing alongside, and the checks and CPU figures.

* :class:`RequestMix`: a resident's and an officer's traffic. Half of it API searches (a third of
  those repeated: kiosk tiles and common words; the rest unique: words, phrases, typos, Spanish,
  with category, language, free, age, open-now and distance filters), a quarter kiosk results
  pages, a quarter home, detail (skewed towards a popular few, as results are) and welcome pages.
* :class:`Editor`: a caseworker signed in over HTTP saving an edit of a different listing every
  second, each with a unique word in its description.
* :func:`verify_edits`: every saved edit is in the database and every worker finds its word.
"""

from __future__ import annotations

import random
import statistics
import threading
import time
import urllib.parse
from pathlib import Path
from typing import Any

from search import AUDIENCES, CATEGORIES, SPANISH, TEMPLATES, TOPICS, _point, _typo
from search_corpus import PLACES

REPEATED = [f"/api/v1/search?category={c}" for c in CATEGORIES] + [
    f"/api/v1/search?q={w}" for w in ("shelter", "food", "counseling", "rent", "daycare", "help", "housing", "refugio")
]


class RequestMix:
    """Thread-safe sources of request paths (see the module docstring)."""

    def __init__(self, service_ids: list[str], seed: int = 11) -> None:
        self.ids = service_ids
        self.rng = random.Random(seed)
        self.lock = threading.Lock()

    def search(self) -> str:
        """One API search: a third repeated, the rest unique."""
        with self.lock:
            if self.rng.random() < 1 / 3:
                return self.rng.choice(REPEATED)
            return "/api/v1/search?" + urllib.parse.urlencode(self._unique_params())

    def any(self) -> str:
        """One request of the whole mix."""
        with self.lock:
            roll = self.rng.random()
            if roll < 0.25:
                return self._page()
            if roll < 0.5:
                return "/search?" + urllib.parse.urlencode(self._kiosk_params())
        return self.search()

    def _unique_params(self) -> dict[str, Any]:
        rng = self.rng
        topic = rng.choice(TOPICS)
        kind = rng.randrange(6)
        if kind == 0:
            params: dict[str, Any] = {"q": rng.choice(TOPICS + SPANISH)}
        elif kind == 1:
            params = {"q": rng.choice(TEMPLATES).format(t=topic, p=rng.choice(PLACES), a=rng.choice(AUDIENCES))}
        elif kind == 2:
            words = topic.split()
            params = {"q": " ".join([*words[:-1], _typo(rng, words[-1])])}
        elif kind == 3:
            params = {"q": topic, "category": rng.choice(CATEGORIES), "free": rng.choice(["true", "false"]),
                      "age": rng.choice([15, 30, 70]), "page": rng.choice([1, 1, 2])}
            if rng.random() < 0.4:
                params["lang"] = "es"
        elif kind == 4:
            lat, lon = _point(rng)
            params = {"q": topic, "near": f"{lat},{lon}", "radius_km": rng.choice([5, 10, 25, 50])}
        else:
            params = {"q": rng.choice(["", topic]), "open_now": "true"}
        return {k: v for k, v in params.items() if v != ""}

    def _kiosk_params(self) -> dict[str, Any]:
        rng = self.rng
        if rng.random() < 0.4:
            return {"category": rng.choice(CATEGORIES)}
        return {"q": rng.choice(TOPICS + SPANISH)}

    def _page(self) -> str:
        roll = self.rng.random()
        if roll < 0.4:
            return "/"
        if roll < 0.85:  # residents open what searches show: a few listings are opened often
            return f"/services/{self.ids[int(len(self.ids) * self.rng.random() ** 4)]}"
        return "/welcome"


def token(run: int, number: int) -> str:
    """A word no listing has: letters only, so the analyzer keeps it whole."""
    letters = ""
    value = run * 10_000 + number
    while True:
        value, digit = divmod(value, 26)
        letters += chr(ord("a") + digit)
        if not value:
            break
    return f"kestrelq{letters}v"


class Editor:
    """A caseworker saving one edit per second over HTTP, in a background thread."""

    def __init__(self, base_url: str, name: str, password: str, ids: list[str], run: int, interval: float = 1.0) -> None:
        self.base_url, self.name, self.password = base_url, name, password
        self.ids = random.Random(run).sample(ids, k=min(len(ids), 2000))
        self.run = run
        self.interval = interval
        self.saved: list[tuple[str, str]] = []
        self.failed: list[str] = []
        self.invalid = 0
        self.latencies: list[float] = []
        #: (start, end) of each save on the ``time.perf_counter`` clock.
        self.windows: list[tuple[float, float]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="editor", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> dict[str, Any]:
        """Stop editing; what was saved."""
        self._stop.set()
        self._thread.join(timeout=60)
        return {"saved": len(self.saved), "failed": len(self.failed), "failures": self.failed[:5],
                "skipped_invalid_listings": self.invalid,
                "p50_ms": round(statistics.median(self.latencies), 1) if self.latencies else 0.0,
                "max_ms": round(max(self.latencies), 1) if self.latencies else 0.0}

    def overlapping(self, samples: list[tuple[float, str, float]], after_s: float = 0.3) -> int:
        """How many of ``samples`` (arrival, kind, ms) were in flight during a save or the
        ``after_s`` seconds after it (when the other workers pick the edit up)."""
        count = 0
        for arrival, _kind, latency in samples:
            end = arrival + latency / 1000
            if any(arrival <= w_end + after_s and end >= w_start for w_start, w_end in self.windows):
                count += 1
        return count

    def _loop(self) -> None:
        from served import HttpCaseworker

        caseworker = HttpCaseworker(self.base_url, self.name, self.password)
        next_at = time.monotonic()
        for number, service_id in enumerate(self.ids):
            if self._stop.is_set():
                return
            word = token(self.run, number)
            started = time.monotonic()
            window_start = time.perf_counter()
            try:
                answer = caseworker.edit_listing(service_id, description=f"Checked by the load benchmark: {word}.")
                ok = answer.status == 303
                problem = None if ok else f"HTTP {answer.status}"
            except Exception as error:  # noqa: BLE001 - counted and reported
                problem = repr(error)
            if problem == "HTTP 422":  # the synthetic listing breaks a validation rule: take another
                self.invalid += 1
                continue
            self.latencies.append((time.monotonic() - started) * 1000)
            self.windows.append((window_start, time.perf_counter()))
            if problem is None:
                self.saved.append((service_id, word))
            else:
                self.failed.append(f"{service_id}: {problem}")
            next_at += self.interval
            self._stop.wait(max(next_at - time.monotonic(), 0))


def verify_edits(host: Any, editor: Editor, db_url: str, timeout: float = 10.0) -> dict[str, Any]:
    """How many of the editor's saves are in the database, and found by every worker of ``host``."""
    from sqlalchemy import select

    from directory_data.db import make_engine, make_session_factory
    from directory_data.models import Service

    engine = make_engine(db_url)
    with make_session_factory(engine)() as session:
        descriptions = dict(session.execute(
            select(Service.id, Service.description).where(Service.id.in_([sid for sid, _w in editor.saved]))
        ).all())
    engine.dispose()
    in_database = sum(1 for sid, word in editor.saved if word in (descriptions.get(sid) or ""))
    workers = host.worker_pids()
    everywhere = 0
    for service_id, word in editor.saved:
        seen: set[int] = set()
        deadline = time.monotonic() + timeout
        while seen != workers and time.monotonic() < deadline:
            answer = host.get(f"/api/v1/search?q={word}", timeout=10)
            if answer.status == 200 and service_id in [r["id"] for r in answer.json()["results"]]:
                seen.add(int(answer.worker.rsplit(":", 1)[1]))
        everywhere += seen == workers
    return {"in_database": in_database, "in_every_index": everywhere, "workers": len(workers)}


def process_cpu(pids: list[int]) -> float:
    """CPU seconds (user + system) used so far by the processes ``pids``."""
    import os

    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / ticks


def machine_cpu() -> tuple[float, float]:
    """(busy, total) CPU jiffies of the whole machine so far, from ``/proc/stat``."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]
    return float(sum(values) - idle), float(sum(values))
