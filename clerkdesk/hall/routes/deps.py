"""What every route needs: the hall context, the bearer token, the Idempotency-Key and the
fingerprint of a POST (`idempotency.Post`)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Header, Request
from fastapi.security import HTTPBearer

from clerkdesk.api.schemas import ErrorResponse
from clerkdesk.hall.errors import NotSignedIn
from clerkdesk.hall.idempotency import Post
from clerkdesk.hall.unit_of_work import HallContext


class _Bearer(HTTPBearer):
    """The bearer token in one dependency: FastAPI's `HTTPBearer` (kept for the API's
    description: the security scheme, the Authorize button of /docs) answers the credentials,
    which a second dependency then checked; each dependency is a step of FastAPI's solving on
    every request. The same reading of the header as `HTTPBearer`'s, and the hall's 401."""

    async def __call__(self, request: Request) -> str:  # type: ignore[override]
        authorization = request.headers.get("Authorization")
        scheme, _, credentials = (authorization or "").partition(" ")
        credentials = credentials.strip()
        if not scheme or not credentials or scheme.lower() != "bearer":
            raise NotSignedIn(
                "token_missing",
                "Sign in first: send 'Authorization: Bearer <token>' from POST /auth/login.",
            )
        return credentials


bearer_token = _Bearer(
    auto_error=False, scheme_name="HTTPBearer", description="The token from POST /auth/login"
)


# `async def` although it waits for nothing: FastAPI runs a plain `def` dependency in the
# thread pool, a thread hop per request for a dictionary lookup.
async def hall_context(request: Request) -> HallContext:
    return request.app.state.hall


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
