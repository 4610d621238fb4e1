"""Running the hall service on uvicorn: in the foreground (`clerkdesk serve`) or in a thread of
this process (the embedded hall, the demo, the tests)."""

from __future__ import annotations

import gc
import importlib.util
import os
import socket
import sys
import threading
import time
from datetime import datetime, timedelta
from typing import Any, TypedDict

import uvicorn
from fastapi import FastAPI
from sse_starlette.sse import AppStatus

from clerkdesk.clock import OffsetClock

SWITCH_INTERVAL_S = 0.001


def _importable(module: str) -> bool:
    return importlib.util.find_spec(module) is not None


class ServerStack(TypedDict):
    http: str
    loop: str


def server_stack() -> ServerStack:
    """uvicorn's HTTP parser and event loop, the same for every way the hall is served
    (`clerkdesk serve`, `serve --workers`, the embedded hall and the demo in a thread, and
    bench/floor_app.py): httptools (HTTP parsed in C) and uvloop (libuv) when installed, as
    they are by default (issue 14: every request cost ~0.2-0.3 ms less CPU with both, see
    README "Performance"), else uvicorn's pure-Python h11 and asyncio's own loop. Named here
    rather than left to uvicorn's "auto", so that what runs is what this says."""
    return ServerStack(
        http="httptools" if _importable("httptools") else "h11",
        loop="uvloop" if _importable("uvloop") and sys.platform != "win32" else "asyncio",
    )


class PortUnavailable(OSError):
    """The host and port cannot be listened on (taken by another program, not this machine's
    address, a privileged port)."""

    def __init__(self, host: str, port: int, reason: str) -> None:
        super().__init__(f"cannot listen on {host}:{port}: {reason}")
        self.host = host
        self.port = port
        self.reason = reason


def listen(host: str, port: int) -> socket.socket:
    """The listening socket, bound here rather than by uvicorn, so that a port in use is a
    `PortUnavailable` to say in one line (uvicorn logs it and ends the process)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET  # as uvicorn decides
    # TCP named: asyncio turns Nagle off only on connections of a socket it knows to be TCP;
    # with protocol 0 an answer's body waited for the client's delayed ACK of its headers
    # (~40 ms on every request after a connection's first: tests/test_hall_socket.py).
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except (OSError, UnicodeError) as exc:  # in use, not an address here, a bad name
        sock.close()
        reason = getattr(exc, "strerror", None) or str(exc)
        raise PortUnavailable(host, port, reason) from None
    sock.listen(2048)  # uvicorn's backlog; from here a client waits rather than is refused
    sock.set_inheritable(True)
    return sock


class ServerThread:
    """uvicorn in a background thread on a loopback port; `port=0` picks a free one."""

    def __init__(self, app: FastAPI, host: str = "127.0.0.1", port: int = 0) -> None:
        config = uvicorn.Config(
            app,
            host=host,
            port=port,
            log_level="warning",
            timeout_graceful_shutdown=2,
            lifespan="on",
            **server_stack(),
        )
        self.server = uvicorn.Server(config)
        self._socket: socket.socket | None = None
        self._thread = threading.Thread(target=self._run, name="hall-server", daemon=True)
        self.host = host
        self._port = port

    def _run(self) -> None:
        self.server.run(sockets=[self._socket] if self._socket is not None else None)

    def start(self, timeout: float = 20.0) -> ServerThread:
        """Raises `PortUnavailable` when the port cannot be listened on."""
        self._socket = listen(self.host, self._port)
        AppStatus.should_exit = False
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self.server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the hall service did not start")
            time.sleep(0.002)  # a workstation with the embedded hall waits on this at start
        return self

    @property
    def port(self) -> int:
        sockets = self.server.servers[0].sockets
        return int(sockets[0].getsockname()[1])

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def stop(self, timeout: float = 10.0) -> None:
        """Stop serving. An event stream still open (a workstation on the demo hall) is ended
        first, so that uvicorn stops cleanly instead of cancelling it after its graceful
        timeout with a traceback. sse-starlette learns of a stop only through the process-wide
        `AppStatus.should_exit` here (a server in a thread installs no signal handlers; see
        FIELD-NOTES): the streams of another server of this process end too, and their clients
        reconnect with Last-Event-ID. The flag is lowered once this server has stopped."""
        AppStatus.should_exit = True
        self.server.should_exit = True
        self._thread.join(timeout)
        AppStatus.should_exit = False
        if self._socket is not None:
            self._socket.close()


def serve_forever(
    app: FastAPI,
    host: str,
    port: int,
    listening: socket.socket | None = None,
    log_config: dict[str, Any] | None = None,
) -> None:
    """`clerkdesk serve` in the foreground until Ctrl+C (uvicorn's signal handlers, on which
    sse-starlette ends the event streams), on `listening` (from `listen`) or a socket bound
    here; raises `PortUnavailable` before serving anything. `log_config`: uvicorn's logging
    (`clerkdesk serve --log-format json`), else uvicorn's own."""
    sock = listening or listen(host, port)
    _settle_process()
    # No access log: its line per request was ~2 % of the server's CPU under load, and the hall
    # records what matters (transitions, events) in its database.
    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        timeout_graceful_shutdown=2,
        log_level="info",
        access_log=False,
        log_config=log_config if log_config is not None else uvicorn.config.LOGGING_CONFIG,
        **server_stack(),
    )
    try:
        uvicorn.Server(config).run(sockets=[sock])
    except KeyboardInterrupt:  # uvicorn stopped cleanly, then raised Ctrl+C's signal again
        pass
    finally:
        sock.close()


def _settle_process() -> None:
    """Once the app is built, before the first request."""
    # What exists now (modules, the app, its routes and schemas: ~140,000 objects) lives as long
    # as the process: out of the cyclic garbage collector's sight, so a full collection while
    # requests wait walks only what came since (about 50 ms less each time on these machines).
    gc.collect()
    gc.freeze()
    # The event loop (HTTP) and the request threads (database work) take turns on the GIL. A
    # thread coming back from SQLite waits for the loop to let go of it, by default up to 5 ms
    # each time, a dozen times in a write: under load the writes, one at a time, crawl while the
    # CPU idles (bench/server_load.py saturation: the server used ~0.55 of a core with 5 ms
    # turns, ~0.85 with 1 ms, in back-to-back runs on a shared machine).
    sys.setswitchinterval(SWITCH_INTERVAL_S)


# --- several processes on one port -----------------------------------------------------------

_ENV_DB = "CLERKDESK_SERVE_DB"
_ENV_API_DOCS = "CLERKDESK_SERVE_API_DOCS"
_ENV_METRICS_TOKEN = "CLERKDESK_SERVE_METRICS_TOKEN"
_ENV_LOG_REQUESTS = "CLERKDESK_SERVE_LOG_REQUESTS"
ENV_CLOCK_START = "CLERKDESK_SERVE_CLOCK_START"
"""A hall-local ISO time the hall clock starts at (benchmarks: inside opening hours)."""
_ENV_CLOCK_OFFSET = "CLERKDESK_SERVE_CLOCK_OFFSET_S"
"""The same, as the offset from the wall clock fixed once by the parent: every process,
a worker restarted later too, tells the same time."""

WORKER_HEALTHCHECK_S = 60
"""How long uvicorn's supervisor waits for a worker to answer its health check before it
kills and replaces it (uvicorn's default: 5 s). A worker starting on a machine whose cores are
busy takes longer than 5 s to import and build the app: the supervisor killed it, started
another, killed that one too, over and over, while one worker served alone and the doomed
starts took CPU from it (bench/server_load.py --server-processes 2: "Child process died" every
5.5 s in the server log, the latency phase stalled)."""


def serve_processes(
    database_url: str,
    host: str,
    port: int,
    workers: int,
    *,
    api_docs: bool = False,
    metrics_token: str | None = None,
    log_config: dict[str, Any] | None = None,
) -> None:
    """N server processes on one port (uvicorn's supervisor: the kernel spreads the
    connections): `clerkdesk serve --workers N` on PostgreSQL, and the load benchmark's
    `bench/server_load.py --server-processes N`. The database is migrated once, here; each process
    then builds its app (`process_app`), with an event hub of its own. On PostgreSQL the
    processes wake each other's hubs with NOTIFY; on SQLite a hub learns of the other
    processes' events by polling (every 0.5 s), and writers of different processes meet at
    `BEGIN IMMEDIATE`, where SQLite makes them poll for the lock: one process is the better
    choice there."""
    from clerkdesk.hall.store import migrate
    from clerkdesk.hall.store.engine import make_engine

    engine = make_engine(database_url)
    try:
        migrate.upgrade(engine)
    finally:
        engine.dispose()
    os.environ[_ENV_DB] = database_url
    os.environ[_ENV_API_DOCS] = "1" if api_docs else ""
    os.environ[_ENV_METRICS_TOKEN] = metrics_token or ""
    os.environ[_ENV_LOG_REQUESTS] = "1" if log_config is not None else ""
    start = os.environ.pop(ENV_CLOCK_START, None)
    if start:
        offset = OffsetClock.starting_at(datetime.fromisoformat(start)).offset
        os.environ[_ENV_CLOCK_OFFSET] = str(offset.total_seconds())
    uvicorn.run(
        "clerkdesk.hall.server:process_app",
        factory=True,
        workers=workers,
        host=host,
        port=port,
        timeout_graceful_shutdown=2,
        timeout_worker_healthcheck=WORKER_HEALTHCHECK_S,
        log_level="info",
        access_log=False,
        log_config=log_config if log_config is not None else uvicorn.config.LOGGING_CONFIG,
        **server_stack(),
    )


def process_app() -> FastAPI:
    """The app of one process of `serve_processes` (uvicorn calls this in each)."""
    from clerkdesk.clock import Clock, SystemClock
    from clerkdesk.hall.app import HallSettings, create_app

    offset = os.environ.get(_ENV_CLOCK_OFFSET)
    clock: Clock = OffsetClock(timedelta(seconds=float(offset))) if offset else SystemClock()
    settings = HallSettings(
        os.environ[_ENV_DB],
        clock=clock,
        migrate=False,
        api_docs=bool(os.environ.get(_ENV_API_DOCS)),
        metrics_token=os.environ.get(_ENV_METRICS_TOKEN) or None,
        log_requests=bool(os.environ.get(_ENV_LOG_REQUESTS)),
    )
    app = create_app(settings)
    _settle_process()
    return app
