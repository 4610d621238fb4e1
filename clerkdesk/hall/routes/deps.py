"""What every route needs: the hall context, the bearer token, the Idempotency-Key and the
fingerprint of a POST (`idempotency.Post`)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Header, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from clerkdesk.api.schemas import ErrorResponse
from clerkdesk.hall.errors import NotSignedIn
from clerkdesk.hall.idempotency import Post
from clerkdesk.hall.unit_of_work import HallContext

_bearer = HTTPBearer(auto_error=False, description="The token from POST /auth/login")


# Both are `async def` although they wait for nothing: FastAPI runs a plain `def` dependency in
# the thread pool, two thread hops per request for a dictionary lookup and a header check.
async def hall_context(request: Request) -> HallContext:
    return request.app.state.hall


async def bearer_token(
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> str:
    if credentials is None or not credentials.credentials:
        raise NotSignedIn(
            "token_missing",
            "Sign in first: send 'Authorization: Bearer <token>' from POST /auth/login.",
        )
    return credentials.credentials


HallDep = Annotated[HallContext, Depends(hall_context)]
TokenDep = Annotated[str, Depends(bearer_token)]
IdempotencyKey = Annotated[
    str,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=128,
        description="A fresh key per intended action; a retry reuses it and changes nothing.",
    ),
]


async def post_request(request: Request, token: TokenDep, key: IdempotencyKey) -> Post:
    """Who sends this POST, with which key, to which route (for its fingerprint)."""
    route = request.scope.get("route")
    template = getattr(route, "path", request.url.path)
    return Post(token, key, template, dict(request.path_params))


PostDep = Annotated[Post, Depends(post_request)]
"""What a POST route hands to `HallContext.write`: `*post.of(body)`."""

ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorResponse} for code in (400, 401, 403, 404, 409, 422, 429)
}
