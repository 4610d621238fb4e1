"""`GET /metrics` in the Prometheus text format, and what feeds it.

Per request the pure ASGI middleware does one clock read at each end, a dictionary lookup for
the route's counter and histogram (built once per method, route template and status) and two
increments; a refusal's JSON body is read for its code (refusals are the rare answers). What
can be read when Prometheus asks is read then, not on every request: the database pool's
connections and how far this process's event hub is behind the event table. Each app has its
own registry (tests run several apps in one process); each server process reports its own."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Awaitable, Callable, Iterator, MutableMapping
from typing import Any

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    disable_created_metrics,
)
from prometheus_client.exposition import CONTENT_TYPE_LATEST, generate_latest
from prometheus_client.metrics_core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from clerkdesk.hall.access import policy
from clerkdesk.hall.errors import NotSignedIn
from clerkdesk.hall.unit_of_work import HallContext

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

UNMATCHED = "unmatched"
"""The route label of a request no route took (a 404 for a path that does not exist): raw
paths would give every scanner's guess a series of its own."""
STREAM_ROUTE = "/events"
BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
REFUSAL_BODY_MAX = 8192

access_log = logging.getLogger("clerkdesk.access")
disable_created_metrics()  # a `_created` series beside every counter is noise for a hall


class HallMetrics:
    """The hall's metrics, in a registry of its own."""

    def __init__(self, context: HallContext, scrape_token: str | None = None) -> None:
        self.context = context
        self.scrape_token = scrape_token or None
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        self.requests = Counter(
            "clerkdesk_http_requests",
            "Requests answered, by method, route template and status",
            ["method", "route", "status"],
            registry=r,
        )
        self.latency = Histogram(
            "clerkdesk_http_request_duration_seconds",
            "Time to the answer's status line, by method and route template (an event stream: "
            "to its start)",
            ["method", "route"],
            buckets=BUCKETS,
            registry=r,
        )
        self.writes = Counter(
            "clerkdesk_writes",
            "POSTs answered with success, by route template",
            ["route"],
            registry=r,
        )
        self.replays = Counter(
            "clerkdesk_idempotent_replays",
            "POSTs answered with the stored answer of an earlier copy (a retry), by route",
            ["route"],
            registry=r,
        )
        self.refusals = Counter(
            "clerkdesk_refusals",
            "Answers refused, by the error's stable code and status",
            ["code", "status"],
            registry=r,
        )
        self.streams = Gauge(
            "clerkdesk_event_streams_open",
            "Server-Sent Event subscribers connected now",
            registry=r,
        )
        r.register(_ScrapeTime(context))
        self._children: dict[tuple[str, str, int], tuple[Any, Any]] = {}

    def children(self, method: str, route: str, status: int) -> tuple[Any, Any]:
        key = (method, route, status)
        found = self._children.get(key)
        if found is None:
            found = self._children[key] = (
                self.requests.labels(method, route, str(status)),
                self.latency.labels(method, route),
            )
        return found

    def scrape(self, token: str | None) -> tuple[bytes, str]:
        """The text exposition, for an admin's token or the scrape token; else NotFound (as if
        there were no such route) from the access policy."""
        if not policy.scrape_token_matches(token, self.scrape_token):
            who = None
            if token:
                try:
                    who = self.context.read(token, lambda _s, who, _now: who)
                except NotSignedIn:
                    who = None
            policy.require_metrics_reader(who)
        return generate_latest(self.registry), CONTENT_TYPE_LATEST


class _ScrapeTime(Collector):
    """Read when Prometheus asks: the connection pool and the event hub's lag."""

    def __init__(self, context: HallContext) -> None:
        self.context = context

    def describe(self) -> list[Metric]:
        return []  # nothing to check at registration (it would read the database)

    def collect(self) -> Iterator[Metric]:
        pool: Any = self.context.engine.pool
        connections = GaugeMetricFamily(
            "clerkdesk_db_pool_connections",
            "Database connections of this process's pool, in use or idle",
            labels=["state"],
        )
        for state, read in (("in_use", "checkedout"), ("idle", "checkedin")):
            if hasattr(pool, read):
                connections.add_metric([state], float(getattr(pool, read)()))
        yield connections
        if hasattr(pool, "size"):
            yield GaugeMetricFamily(
                "clerkdesk_db_pool_size", "Connections the pool keeps open", value=pool.size()
            )
        hub = self.context.hub
        yield GaugeMetricFamily(
            "clerkdesk_event_hub_last_id",
            "The newest event this process's hub has read",
            value=hub.last_id,
        )
        try:
            newest = hub.max_id()
        except Exception:  # the database is away: say so rather than fail the scrape
            yield GaugeMetricFamily(
                "clerkdesk_db_up", "1 when the database answered this scrape", value=0
            )
            return
        yield GaugeMetricFamily(
            "clerkdesk_db_up", "1 when the database answered this scrape", value=1
        )
        yield GaugeMetricFamily(
            "clerkdesk_event_lag_events",
            "Events committed to the database that this process's hub has not yet read",
            value=max(0, newest - hub.last_id),
        )


class MetricsMiddleware:
    """Counts and times every HTTP request by route template (pure ASGI: no request objects,
    no extra task, unlike Starlette's BaseHTTPMiddleware); with `log_requests`, one line per
    request on the `clerkdesk.access` logger (the JSON log format)."""

    def __init__(self, app: ASGIApp, metrics: HallMetrics, log_requests: bool = False) -> None:
        self.app = app
        self.metrics = metrics
        self.log_requests = log_requests

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        answered = 0.0
        status = 500
        replay = False
        body: list[bytes] | None = None
        stream = False

        async def sending(message: Message) -> None:
            nonlocal answered, status, replay, body, stream
            kind = message["type"]
            if kind == "http.response.start":
                answered = time.perf_counter()
                status = message["status"]
                if status >= 400:
                    body = []
                else:
                    route = getattr(scope.get("route"), "path", None)
                    if route == STREAM_ROUTE:
                        stream = True
                        self.metrics.streams.inc()
                    replay = (b"idempotent-replay", b"true") in message.get("headers", ())
            elif (
                body is not None
                and kind == "http.response.body"
                and sum(map(len, body)) < REFUSAL_BODY_MAX
            ):
                body.append(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            if stream:
                self.metrics.streams.dec()
            if not answered:
                answered = time.perf_counter()
            route = getattr(scope.get("route"), "path", None) or UNMATCHED
            method = scope["method"]
            requests, latency = self.metrics.children(method, route, status)
            requests.inc()
            latency.observe(answered - started)
            if status >= 400:
                self.metrics.refusals.labels(_refusal_code(body, status), str(status)).inc()
            elif method == "POST":
                (self.metrics.replays if replay else self.metrics.writes).labels(route).inc()
            if self.log_requests:
                access_log.info(
                    "%s %s %s",
                    method,
                    scope.get("path", ""),
                    status,
                    extra={
                        "route": route,
                        "status": status,
                        "ms": round((answered - started) * 1000, 2),
                    },
                )


def _refusal_code(body: list[bytes] | None, status: int) -> str:
    """The stable code of a refusal's JSON body (`{"error": {"code": …}}`)."""
    try:
        code = json.loads(b"".join(body or ()))["error"]["code"]
        if isinstance(code, str) and code:
            return code
    except (ValueError, KeyError, TypeError):
        pass
    return f"http_{status}"


class JsonLogFormatter(logging.Formatter):
    """One JSON object per line: time, level, message, route, status, ms (the last three for
    a request's line, else null), for log collectors (`clerkdesk serve --log-format json`)."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%S", time.localtime(record.created))
            + f".{int(record.msecs):03d}"
            + time.strftime("%z", time.localtime(record.created)),
            "level": record.levelname.lower(),
            "message": record.getMessage(),
            "logger": record.name,
            "route": getattr(record, "route", None),
            "status": getattr(record, "status", None),
            "ms": getattr(record, "ms", None),
        }
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False)


def json_log_config(level: str = "info") -> dict[str, Any]:
    """uvicorn's `log_config` for JSON lines on standard error: uvicorn's own loggers, the
    hall's (`clerkdesk.*`, requests on `clerkdesk.access`) and anything else at warning."""
    handler = {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stderr"}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": JsonLogFormatter}},
        "handlers": {"json": handler},
        "root": {"handlers": ["json"], "level": "WARNING"},
        "loggers": {
            "uvicorn": {"handlers": ["json"], "level": level.upper(), "propagate": False},
            "uvicorn.error": {"level": level.upper()},
            "uvicorn.access": {"handlers": [], "level": "WARNING", "propagate": False},
            "clerkdesk": {"handlers": ["json"], "level": level.upper(), "propagate": False},
        },
    }
