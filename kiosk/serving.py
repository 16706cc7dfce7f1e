"""``kiosk serve``: gunicorn in production, Flask's reloader with ``--dev``.

:class:`KioskServer` runs gunicorn programmatically. The master never creates the app: each
worker calls :func:`kiosk.create_app` (no preloading), so it has its own database engine, searcher
pool and index follower, and warms up (:func:`warm_up`) before it accepts its first request.

Logs are JSON lines on stderr (:mod:`kiosk.logs`): gunicorn's, the app's, and one per request
(:class:`kiosk.request_log.RequestLog`). gunicorn's access log stays off (it would log addresses
and query strings); the formatter cuts addresses and what a client sent from gunicorn's errors.
"""

from __future__ import annotations

import gc
import logging
import os
import socket
import threading
import time
from typing import Any

from flask import Flask
from gunicorn.app.base import BaseApplication
from gunicorn.glogging import Logger as GunicornLogger

from kiosk.heap import THAW_SECONDS, HeapKeeper
from kiosk.logs import JsonFormatter, configure_logging
from kiosk.request_log import RequestLog
from kiosk.warm_pages import warm_pages

log = logging.getLogger(__name__)

#: Upper bound of the default worker count (more processes only add memory past this).
MAX_DEFAULT_WORKERS = 8

#: Threads per worker by default: requests wait on the database and the socket part of the time.
DEFAULT_THREADS = 4


def cpu_count() -> int:
    """The cores this process may run on."""
    try:
        return max(len(os.sched_getaffinity(0)), 1)
    except AttributeError:  # not Linux
        return max(os.cpu_count() or 1, 1)


def default_workers(cores: int | None = None) -> int:
    """``cores + 1`` worker processes, at most :data:`MAX_DEFAULT_WORKERS`.

    Not gunicorn's ``2 * cores + 1``: a request here is mostly CPU under one interpreter lock
    (searching, rendering), its waits on the database are covered by the worker's threads, and
    every worker keeps its own searchers and listing cache (filled at start). On this 2-core
    machine ``bench/load.py`` measured 3 workers well ahead of 5 (saturation median 156 against
    94 search requests per second, same load from others).
    """
    return min((cores or cpu_count()) + 1, MAX_DEFAULT_WORKERS)


def served_by() -> str:
    """``<host name>:<pid>`` of this process, for the ``X-Served-By`` header."""
    return f"{socket.gethostname()}:{os.getpid()}"


def wsgi_app(app: Flask) -> RequestLog:
    """``app`` as served: wrapped in the request log (and ``X-Served-By`` when configured)."""
    header = served_by() if app.config.get("SERVED_BY_HEADER") else None
    return RequestLog(app, served_by=header)


def freeze_heap(thaw_seconds: float = THAW_SECONDS) -> HeapKeeper:
    """Freeze what is alive now out of the garbage collector's sight, and keep full collections
    short from then on (:class:`kiosk.heap.HeapKeeper`; the whole heap is collected every
    ``thaw_seconds``); return the keeper."""
    keeper = HeapKeeper(thaw_seconds)
    keeper.start()
    return keeper


def warm_up(app: Flask) -> None:
    """Catch the worker's index up with the journal, read the postings of the common words
    (:mod:`search_index.query.warming`), load the crisis and need rules and their word lists, fill the listing cache results are shown from, and render
    the public pages once (:mod:`kiosk.warm_pages`); never raises."""
    from search_index.query.synonyms import load_synonyms
    from search_index.query.warming import (
        common_words,
        need_words,
        table_words,
        warm_crisis_rules,
        warm_need_rules,
        warm_words,
    )

    from kiosk.db import get_database
    from kiosk.listing_cache import get_listing_cache, prefill
    from kiosk.search import get_search

    try:
        with app.app_context():
            search = get_search(app)
            search.follower.wait_caught_up(600.0)
            if search.layout.current() is not None:
                started = time.monotonic()
                with search.pool.searcher() as searcher:
                    words = table_words(load_synonyms()) + need_words() + common_words(searcher)
                    held = warm_words(searcher, words)
                log.info("postings of %d words read in %.1f s", held, time.monotonic() - started)
            started = time.monotonic()
            warm_crisis_rules()
            warm_need_rules()
            log.info("crisis and need rules and known words loaded in %.1f s", time.monotonic() - started)
            if app.config.get("PREFILL_LISTINGS", True):
                started = time.monotonic()
                with get_database(app).session_factory() as session:
                    count = prefill(session, get_listing_cache(app))
                log.info("listing cache filled with %d services in %.1f s", count,
                         time.monotonic() - started)
        if app.config.get("WARM_PAGES", True):
            started = time.monotonic()
            sent = warm_pages(app)
            log.info("pages rendered once (%d requests) in %.1f s", sent, time.monotonic() - started)
    except Exception:  # the first request tries again and reports what is wrong
        log.warning("warm-up of the search index, listing cache or pages failed", exc_info=True)


class JsonLogger(GunicornLogger):
    """gunicorn's logger with its error log written as JSON lines (query strings cut)."""

    def setup(self, cfg: Any) -> None:
        """Set gunicorn's handlers up, then give them the JSON formatter."""
        super().setup(cfg)
        for handler in self.error_log.handlers:
            handler.setFormatter(JsonFormatter())


def _post_worker_init(worker: Any) -> None:
    """gunicorn hook: warm the new worker up before it takes its first request (so no request
    waits behind the warm-up), telling the master every second that it is alive."""
    app = getattr(worker.wsgi, "app", None)
    if isinstance(app, Flask):
        thread = threading.Thread(target=_warm_up_worker, args=(app,), name="warm-up", daemon=True)
        thread.start()
        while thread.is_alive():
            worker.notify()
            thread.join(timeout=1.0)


def _warm_up_worker(app: Flask) -> None:
    """A new worker's warm-up, then its heap frozen (:func:`freeze_heap`)."""
    warm_up(app)
    freeze_heap(float(app.config.get("HEAP_THAW_SECONDS", THAW_SECONDS)))
    log.info("warm-up done: %d objects frozen out of garbage collection", gc.get_freeze_count())


def _worker_exit(_server: Any, worker: Any) -> None:
    """gunicorn hook: a stopping worker writes the search counts it still holds."""
    from kiosk.search_tally import get_tally

    app = getattr(worker.wsgi, "app", None)
    if isinstance(app, Flask):
        get_tally(app).write()


class KioskServer(BaseApplication):
    """gunicorn serving :func:`kiosk.create_app` (one app per worker)."""

    def __init__(self, options: dict[str, Any], config: dict[str, Any] | None = None) -> None:
        self.options = options
        self.app_config = config
        super().__init__()

    def load_config(self) -> None:
        """Hand our options to gunicorn's configuration."""
        assert self.cfg is not None
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> RequestLog:
        """Create this worker's app (called in each worker, after the fork)."""
        from kiosk import create_app

        return wsgi_app(create_app(self.app_config))


def gunicorn_options(host: str, port: int, workers: int, threads: int) -> dict[str, Any]:
    """The gunicorn settings ``kiosk serve`` uses."""
    return {
        "bind": f"{host}:{port}",
        "workers": workers,
        "threads": threads,
        "worker_class": "gthread",
        "proc_name": "kiosk",
        "logger_class": JsonLogger,
        "accesslog": None,
        "errorlog": "-",
        "loglevel": "info",
        "timeout": 60,
        "graceful_timeout": 20,
        "keepalive": 5,
        "post_worker_init": _post_worker_init,
        "worker_exit": _worker_exit,
        # No control socket: it lives in the user's home, so two servers on one machine collide.
        "control_socket_disable": True,
    }


def run_gunicorn(host: str, port: int, workers: int, threads: int) -> None:
    """Serve until stopped (SIGTERM or SIGINT), with gunicorn in this process as master."""
    configure_logging()
    # Imported once in the master, so workers fork with them loaded (shared pages, fast start).
    import search_index.upkeep.follower  # noqa: F401
    import search_index.query.searching  # noqa: F401

    KioskServer(gunicorn_options(host, port, workers, threads)).run()


def run_dev(app: Flask, host: str, port: int) -> None:
    """Flask's development server with the reloader (restarts when a source file changes)."""
    from werkzeug.serving import WSGIRequestHandler, run_simple

    class QuietHandler(WSGIRequestHandler):
        """Werkzeug's handler without its request lines (they carry addresses and queries), and
        its other messages without the client's address."""

        def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
            return None

        def log(self, type: str, message: str, *args: Any) -> None:  # noqa: A002 - Werkzeug's name
            level = getattr(logging, type.upper(), logging.INFO)
            logging.getLogger("werkzeug").log(level if isinstance(level, int) else logging.INFO, message, *args)

    configure_logging()
    run_simple(host, port, wsgi_app(app), threaded=True, use_reloader=True, request_handler=QuietHandler)
