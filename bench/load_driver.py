"""A small HTTP load driver for ``bench/load.py``: open loop at a fixed arrival rate, closed loop.

Threads with one keep-alive ``http.client`` connection each (reconnecting after an error).

* :func:`open_loop`: requests *arrive* on a Poisson schedule at ``rate`` per second whether or not
  earlier ones have finished; a request's latency counts from its scheduled arrival, so a server
  (or driver) that falls behind shows it in the percentiles instead of hiding it (no coordinated
  omission).
* :func:`closed_loop`: ``concurrency`` clients each send the next request when the last one
  answered; the completed requests per second is the throughput at that concurrency.

Each returns a :class:`RunStats` with latencies, errors, and the driver's own CPU time.
"""

from __future__ import annotations

import http.client
import queue
import random
import statistics
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

#: A source of request paths (called from many threads; must be thread-safe).
PathSource = Callable[[], str]


@dataclass
class RunStats:
    """What one run measured."""

    label: str
    seconds: float = 0.0
    #: When the run started, on the ``time.perf_counter`` clock.
    started: float = 0.0
    latencies_ms: list[float] = field(default_factory=list)
    errors: int = 0
    error_samples: list[str] = field(default_factory=list)
    driver_cpu_s: float = 0.0
    #: (arrival on the ``time.perf_counter`` clock, kind of request, latency in ms) per request.
    samples: list[tuple[float, str, float]] = field(default_factory=list, repr=False)
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def record(self, latency_ms: float, error: str | None, *, path: str = "", arrival: float = 0.0) -> None:
        """Record one request (thread-safe)."""
        with self.lock:
            self.latencies_ms.append(latency_ms)
            self.samples.append((arrival, request_kind(path), latency_ms))
            if error is not None:
                self.errors += 1
                if len(self.error_samples) < 5:
                    self.error_samples.append(error)

    def summary(self) -> dict[str, Any]:
        """Requests, rate, percentiles (ms) and errors, as a JSON-ready dict."""
        values = sorted(self.latencies_ms)
        count = len(values)

        def pct(p: float) -> float:
            return round(values[min(int(p * count), count - 1)], 1) if values else 0.0

        return {
            "label": self.label,
            "requests": count,
            "seconds": round(self.seconds, 1),
            "rps": round(count / self.seconds, 1) if self.seconds else 0.0,
            "p50_ms": pct(0.50), "p95_ms": pct(0.95), "p99_ms": pct(0.99),
            "max_ms": round(values[-1], 1) if values else 0.0,
            "mean_ms": round(statistics.fmean(values), 1) if values else 0.0,
            "errors": self.errors,
            "error_samples": self.error_samples,
            "driver_cpu_s": round(self.driver_cpu_s, 2),
            "driver_cores": round(self.driver_cpu_s / self.seconds, 2) if self.seconds else 0.0,
            "by_kind": self.by_kind(),
        }

    def by_kind(self) -> dict[str, dict[str, float]]:
        """Per kind of request: how many, p50 and p99 (ms), and its share of the slowest 1 %."""
        if not self.samples:
            return {}
        cut = sorted(s[2] for s in self.samples)[int(0.99 * len(self.samples))]
        out: dict[str, dict[str, float]] = {}
        for kind in sorted({s[1] for s in self.samples}):
            values = sorted(s[2] for s in self.samples if s[1] == kind)
            out[kind] = {"requests": len(values), "p50_ms": round(values[len(values) // 2], 1),
                         "p99_ms": round(values[min(int(0.99 * len(values)), len(values) - 1)], 1),
                         "in_slowest_1pct": sum(1 for v in values if v >= cut)}
        return out

    def slowest(self, share: float = 0.01) -> list[tuple[float, str, float]]:
        """The slowest ``share`` of the requests: (arrival, kind, latency ms)."""
        ordered = sorted(self.samples, key=lambda s: s[2], reverse=True)
        return ordered[:max(1, int(len(ordered) * share))]


def request_kind(path: str) -> str:
    """What a request path asks for, in a word or two (for the per-kind figures)."""
    route = path.split("?", 1)[0]
    if route.startswith("/api/"):
        return "api search"
    if route == "/search":
        return "results page"
    if route.startswith("/services/"):
        return "detail page"
    return {"/": "home page", "/welcome": "welcome page"}.get(route, route)


class Client:
    """One keep-alive connection to ``host:port`` (not thread-safe: one per thread)."""

    def __init__(self, host: str, port: int, timeout: float = 30.0) -> None:
        self.host, self.port, self.timeout = host, port, timeout
        self.conn: http.client.HTTPConnection | None = None

    def get(self, path: str) -> tuple[int, bytes]:
        """``GET path``: (status, body); raises OSError / HTTPException on a broken connection."""
        if self.conn is None:
            self.conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        try:
            self.conn.request("GET", path)
            response = self.conn.getresponse()
            return response.status, response.read()
        except (OSError, http.client.HTTPException):
            self.conn.close()
            self.conn = None
            raise

    def timed(self, path: str) -> str | None:
        """Send ``GET path``; None when it answered below 400, else what went wrong.

        Like a browser, a GET that fails on a *reused* keep-alive connection (the server closed
        it as idle while the request was on its way) is sent once more on a new connection.
        """
        reused = self.conn is not None
        try:
            status, _body = self.get(path)
        except (ConnectionResetError, BrokenPipeError, http.client.RemoteDisconnected) as error:
            if not reused:
                return f"{path.split('?')[0]}: {error!r}"
            return self.timed(path)
        except (OSError, http.client.HTTPException) as error:
            return f"{path.split('?')[0]}: {error!r}"
        return None if status < 400 else f"{path.split('?')[0]}: HTTP {status}"


def open_loop(host: str, port: int, paths: PathSource, *, rate: float, seconds: float,
              senders: int = 48, seed: int = 1, label: str = "open loop") -> RunStats:
    """Send ``rate`` requests per second (Poisson arrivals) for ``seconds``; see the module docstring."""
    stats = RunStats(label)
    jobs: queue.Queue[tuple[float, str] | None] = queue.Queue()

    def sender() -> None:
        client = Client(host, port)
        while (job := jobs.get()) is not None:
            scheduled, path = job
            error = client.timed(path)
            stats.record((time.perf_counter() - scheduled) * 1000, error, path=path, arrival=scheduled)

    threads = [threading.Thread(target=sender, daemon=True) for _ in range(senders)]
    for thread in threads:
        thread.start()
    rng = random.Random(seed)
    cpu0, start = time.process_time(), time.perf_counter()
    stats.started = arrival = start
    while arrival < start + seconds:
        arrival += rng.expovariate(rate)
        delay = arrival - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
        jobs.put((arrival, paths()))
    for _ in threads:
        jobs.put(None)
    for thread in threads:
        thread.join(timeout=60)
    stats.seconds = time.perf_counter() - start
    stats.driver_cpu_s = time.process_time() - cpu0
    return stats


def closed_loop(host: str, port: int, paths: PathSource, *, concurrency: int, seconds: float,
                warm_up: float = 2.0, label: str = "closed loop") -> RunStats:
    """``concurrency`` clients back to back for ``seconds`` (after ``warm_up`` seconds not counted)."""
    stats = RunStats(f"{label} c={concurrency}")
    begin = time.perf_counter() + warm_up
    end = begin + seconds

    def client_loop() -> None:
        client = Client(host, port)
        while (now := time.perf_counter()) < end:
            path = paths()
            error = client.timed(path)
            done = time.perf_counter()
            if now >= begin:
                stats.record((done - now) * 1000, error, path=path, arrival=now)

    threads = [threading.Thread(target=client_loop, daemon=True) for _ in range(concurrency)]
    cpu0 = time.process_time()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds + warm_up + 60)
    stats.seconds = seconds
    stats.driver_cpu_s = (time.process_time() - cpu0) * seconds / (seconds + warm_up)
    return stats
