"""What an operator's tools read: the Prometheus metrics."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.responses import Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from clerkdesk.hall.ops.metrics import HallMetrics
from clerkdesk.hall.routes.table import RouteTable

router = RouteTable(tags=["operations"])
_bearer = HTTPBearer(auto_error=False, description="An admin's token or the scrape token")
Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]


@router.get(
    "/metrics",
    response_class=Response,
    responses={200: {"content": {"text/plain": {}}}},
)
def metrics(request: Request, credentials: Credentials) -> Response:
    """Requests and latency by route, writes, refusals by code, event streams, the database
    pool (Prometheus text format). Admins, or the scrape token of `clerkdesk serve
    --metrics-token`; anyone else: 404, as for a path that does not exist."""
    hall_metrics: HallMetrics = request.app.state.metrics
    token = credentials.credentials if credentials is not None else None
    body, content_type = hall_metrics.scrape(token)
    return Response(body, media_type=content_type)
