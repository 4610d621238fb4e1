"""Running the hall service on uvicorn: in the foreground (`clerkdesk serve`) or in a thread of
this process (the embedded hall, the demo, the tests)."""

from __future__ import annotations

import threading
import time

import uvicorn
from fastapi import FastAPI
from sse_starlette.sse import AppStatus


class ServerThread:
    """uvicorn in a background thread on a loopback port; `port=0` picks a free one."""

    def __init__(self, app: FastAPI, host: str = "127.0.0.1", port: int = 0) -> None:
        config = uvicorn.Config(
            app,
            host=host,
            port=port,
            log_level="warning",
            timeout_graceful_shutdown=1,
            lifespan="on",
        )
        self.server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self.server.run, name="hall-server", daemon=True)
        self.host = host

    def start(self, timeout: float = 20.0) -> ServerThread:
        AppStatus.should_exit = False
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self.server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the hall service did not start")
            time.sleep(0.01)
        return self

    @property
    def port(self) -> int:
        sockets = self.server.servers[0].sockets
        return int(sockets[0].getsockname()[1])

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def stop(self, timeout: float = 10.0) -> None:
        self.server.should_exit = True
        self._thread.join(timeout)
        AppStatus.should_exit = False


def serve_forever(app: FastAPI, host: str, port: int) -> None:
    uvicorn.run(app, host=host, port=port, timeout_graceful_shutdown=2, log_level="info")
