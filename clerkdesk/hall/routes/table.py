"""The routes of one module, written down with the decorators of FastAPI's `APIRouter` and built
onto the app by `create_app`, once.

An `APIRouter` builds each route as its decorator runs, and `include_router` builds it again
for the app. Building a route makes a pydantic field for every parameter, for the answer and
for every documented error answer: seven error answers on 38 routes were 266 of the 365
fields, about 0.1 s of CPU on the way to a workstation's first screen on the embedded hall.
Here a route is built once, and the shared error answers (`ERRORS`) are added only when the
service documents its API (`serve --api-docs`, the demo hall): they change nothing else.

A process that builds a second app (the tests start a hall per test, some tests several) gets the
routes the first one built: building them was ~0.2 s of CPU per app, the largest part of starting
a hall in a test. A route holds no state of its app (a request finds its hall through
`request.app`); only FastAPI's `dependency_overrides` would be looked up on the first app, and
the hall uses none.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import fastapi.routing
from fastapi import FastAPI
from starlette.routing import BaseRoute

Endpoint = TypeVar("Endpoint", bound=Callable[..., Any])


@dataclass(frozen=True)
class _Route:
    path: str
    methods: tuple[str, ...]
    endpoint: Callable[..., Any]
    options: dict[str, Any]


@dataclass
class RouteTable:
    tags: list[str]
    _routes: list[_Route] = field(default_factory=list)
    _built: list[tuple[dict[int | str, dict[str, Any]] | None, list[BaseRoute]]] = field(
        default_factory=list
    )

    def get(self, path: str, **options: Any) -> Callable[[Endpoint], Endpoint]:
        return self._route(path, ("GET",), options)

    def post(self, path: str, **options: Any) -> Callable[[Endpoint], Endpoint]:
        return self._route(path, ("POST",), options)

    def delete(self, path: str, **options: Any) -> Callable[[Endpoint], Endpoint]:
        return self._route(path, ("DELETE",), options)

    def _route(
        self, path: str, methods: tuple[str, ...], options: dict[str, Any]
    ) -> Callable[[Endpoint], Endpoint]:
        def record(endpoint: Endpoint) -> Endpoint:
            self._routes.append(_Route(path, methods, endpoint, options))
            return endpoint

        return record

    def install(self, app: FastAPI, *, errors: dict[int | str, dict[str, Any]] | None) -> None:
        """Build every route onto `app`; `errors` are documented answers shared by all."""
        for built_with, routes in self._built:
            if built_with == errors:
                app.router.routes.extend(routes)
                return
        first = len(app.router.routes)
        for route in self._routes:
            options = dict(route.options)
            options["tags"] = [*self.tags, *options.get("tags", ())]
            if errors is not None:
                options["responses"] = {**errors, **options.get("responses", {})}
            app.add_api_route(route.path, route.endpoint, methods=list(route.methods), **options)
            name_for_errors(route.endpoint)
        self._built.append((errors, app.router.routes[first:]))


def name_for_errors(endpoint: Callable[..., Any]) -> None:
    """Tell FastAPI where an endpoint is (file, line, function) before its first request.

    FastAPI names the endpoint in its validation errors and finds it, on the endpoint's first
    request, by reading and tokenizing the source file (`inspect.getsourcelines`): the first
    request after a start paid about 16 ms for the tokenizer, each endpoint 1-3 ms more. The
    function's code object holds the same three facts. Should FastAPI stop keeping its cache
    (a private one), this does nothing and FastAPI finds them as before."""
    cache = getattr(fastapi.routing, "_endpoint_context_cache", None)
    code = getattr(endpoint, "__code__", None)
    if isinstance(cache, dict) and code is not None:
        cache.setdefault(
            id(endpoint),
            {"file": code.co_filename, "line": code.co_firstlineno, "function": endpoint.__name__},
        )
