"""The hall's HTTP stack (issue 14, item 3): one HTTP parser and event loop for every way the
hall is served, reads answered from the hall's reader threads in the very JSON FastAPI would
have sent, and the event hub woken once however many commits ask."""

from __future__ import annotations

import asyncio
import importlib.util
import threading
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from clerkdesk.api import schemas as w
from clerkdesk.api.client import HallClient
from clerkdesk.hall import server
from clerkdesk.hall.events.hub import EventHub
from clerkdesk.hall.store import migrate
from clerkdesk.hall.store.engine import make_engine, sqlite_url
from tests.conftest import RunningHall

ROOT = Path(__file__).resolve().parents[1]


def test_the_stack_is_httptools_and_uvloop_when_installed() -> None:
    stack = server.server_stack()
    assert stack["http"] == ("httptools" if importlib.util.find_spec("httptools") else "h11")
    assert stack["loop"] == ("uvloop" if importlib.util.find_spec("uvloop") else "asyncio")


def test_the_installed_hall_has_both() -> None:
    """They are dependencies of the project (pyproject.toml): an install without them runs,
    a little slower, and this says so."""
    assert server.server_stack() == {"http": "httptools", "loop": "uvloop"}


def test_every_way_of_serving_uses_the_same_stack(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    seen: dict[str, dict[str, Any]] = {}

    class Captured(uvicorn.Server):
        def run(self, sockets: Any = None) -> None:
            seen["serve"] = {"http": self.config.http, "loop": self.config.loop}

    monkeypatch.setattr(server.uvicorn, "Server", Captured)
    monkeypatch.setattr(server, "_settle_process", lambda: None)
    server.serve_forever(object(), "127.0.0.1", 0)  # type: ignore[arg-type]
    monkeypatch.undo()

    thread = server.ServerThread(object())  # type: ignore[arg-type]
    seen["thread"] = {"http": thread.server.config.http, "loop": thread.server.config.loop}

    def run(_app: str, **options: Any) -> None:
        seen["workers"] = {"http": options["http"], "loop": options["loop"]}

    monkeypatch.setattr(server.uvicorn, "run", run)
    server.serve_processes(sqlite_url(tmp_path / "hall.sqlite3"), "127.0.0.1", 0, 2)

    stack = dict(server.server_stack())
    assert seen == {"serve": stack, "thread": stack, "workers": stack}
    # The floor of bench/server_load.py --floor is served by serve_forever too.
    assert "serve_forever(floor_app()" in (ROOT / "bench" / "floor_app.py").read_text()


def _as_fastapi_sends(model: BaseModel) -> bytes:
    """What a route with this `response_model` answered before: FastAPI's JSON of the model."""
    return bytes(JSONResponse(model.model_dump(mode="json")).body)


async def test_reads_answer_the_json_fastapi_would_send(
    hall: RunningHall, li_hua: HallClient, kiosk: HallClient
) -> None:
    await kiosk.issue("bdc-transfer", notes="带 “引号” 和 emoji 🙂")
    assert li_hua.token is not None
    headers = {"Authorization": f"Bearer {li_hua.token}"}
    reads: dict[str, type[BaseModel]] = {
        "/ping": w.Health,
        "/me": w.MeOut,
        "/windows/1/counter": w.CounterState,
        "/windows/1/queue": w.QueueOut,
    }
    async with httpx.AsyncClient(base_url=hall.url, headers=headers) as http:
        for path, model in reads.items():
            response = await http.get(path)
            assert response.status_code == 200, (path, response.text)
            assert response.headers["content-type"] == "application/json"
            parsed = model.model_validate_json(response.content)
            assert response.content == _as_fastapi_sends(parsed), path
        queue = w.QueueOut.model_validate_json((await http.get("/windows/1/queue")).content)
        assert queue.tickets, "the queue read must have something in it to compare"


async def test_a_read_refused_is_the_same_refusal(hall: RunningHall) -> None:
    async with httpx.AsyncClient(base_url=hall.url) as http:
        for auth in ({}, {"Authorization": "Bearer not-a-token"}, {"Authorization": "Basic x"}):
            response = await http.get("/ping", headers=auth)
            assert response.status_code == 401, auth
            assert response.headers["WWW-Authenticate"] == "Bearer"
            assert response.json()["error"]["code"] in {"token_missing", "token_unknown"}


async def test_pokes_from_writer_threads_wake_the_hub_once(tmp_path: Path) -> None:
    class Waking(EventHub):
        """Wakes, reads nothing: only the wake-ups are counted here."""

        async def _run(self) -> None:
            await asyncio.Event().wait()

    engine = make_engine(sqlite_url(tmp_path / "hall.sqlite3"))
    migrate.upgrade(engine)
    hub = Waking(engine, poll_interval=60)
    await hub.start()
    loop = asyncio.get_running_loop()
    sent: list[object] = []
    original = loop.call_soon_threadsafe

    def counting(callback: Any, *args: Any) -> Any:
        sent.append(callback)
        return original(callback, *args)

    def commits(count: int) -> None:
        """Writer threads' pokes while the event loop is busy (held here until they are done)."""
        writer = threading.Thread(target=lambda: [hub.poke() for _ in range(count)])
        writer.start()
        writer.join()

    loop.call_soon_threadsafe = counting  # type: ignore[method-assign]
    try:
        commits(5)
        assert len(sent) == 1  # the first sends a wake-up; the others find it on its way
        for _ in range(3):
            await asyncio.sleep(0)  # the wake-up runs
        commits(2)
        assert len(sent) == 2  # once it has run, the next commit sends another
    finally:
        loop.call_soon_threadsafe = original  # type: ignore[method-assign]
        await hub.stop()
        engine.dispose()
