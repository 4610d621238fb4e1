"""How the hall's routes are built: once, with the shared refusals documented only when the API
is (serve --api-docs, the demo hall), and without FastAPI reading the source files."""

from __future__ import annotations

import inspect
from pathlib import Path

import fastapi.routing
import pytest
from fastapi.routing import APIRoute

from clerkdesk.hall.app import HallSettings, create_app
from clerkdesk.hall.store.engine import sqlite_url

SHARED_REFUSALS = {"400", "401", "403", "404", "409", "422", "429"}


def _routes(tmp_path: Path, api_docs: bool) -> list[APIRoute]:
    app = create_app(HallSettings(sqlite_url(tmp_path / "hall.sqlite3"), api_docs=api_docs))
    return [route for route in app.routes if isinstance(route, APIRoute)]


def test_the_documented_api_names_every_refusal_a_call_next_may_meet(tmp_path: Path) -> None:
    app = create_app(HallSettings(sqlite_url(tmp_path / "hall.sqlite3"), api_docs=True))
    call_next = app.openapi()["paths"]["/windows/{number}/call-next"]["post"]
    assert set(call_next["responses"]) >= SHARED_REFUSALS
    refusal = call_next["responses"]["409"]["content"]["application/json"]["schema"]
    assert refusal == {"$ref": "#/components/schemas/ErrorResponse"}
    assert call_next["tags"] == ["windows"]
    events = app.openapi()["paths"]["/events"]["get"]  # a route's own answers stay
    assert "text/event-stream" in events["responses"]["200"]["content"]


def test_each_route_is_built_once_and_undocumented_halls_skip_the_shared_refusals(
    tmp_path: Path,
) -> None:
    documented = _routes(tmp_path, api_docs=True)
    plain = _routes(tmp_path, api_docs=False)
    paths = [(route.path, tuple(sorted(route.methods))) for route in plain]
    assert len(paths) == len(set(paths)) >= 38
    assert paths == [(route.path, tuple(sorted(route.methods))) for route in documented]
    assert all(not SHARED_REFUSALS & {str(code) for code in route.responses} for route in plain)
    assert all({str(code) for code in route.responses} >= SHARED_REFUSALS for route in documented)


def test_fastapi_knows_where_each_endpoint_is_without_reading_its_source(tmp_path: Path) -> None:
    cache = getattr(fastapi.routing, "_endpoint_context_cache", None)
    if not isinstance(cache, dict):
        pytest.skip("this FastAPI no longer looks endpoints up in their source files")
    for route in _routes(tmp_path, api_docs=False):
        endpoint = route.endpoint
        known = cache[id(endpoint)]  # FastAPI adds the request's path to it after a request
        assert {key: known.get(key) for key in ("file", "line", "function")} == {
            "file": inspect.getsourcefile(endpoint),
            "line": inspect.getsourcelines(endpoint)[1],
            "function": endpoint.__name__,
        }, route.path
