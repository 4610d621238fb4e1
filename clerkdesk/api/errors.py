"""Typed errors of the hall client. Each carries the server's code, message and parameters."""

from __future__ import annotations

from typing import Any


class HallClientError(Exception):
    """Base of everything the client raises."""


class HallUnreachable(HallClientError):
    """No answer from the hall service (connection refused, dropped, timed out) after retries."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class ApiError(HallClientError):
    """The hall service answered with a refusal."""

    def __init__(
        self, status: int, code: str, message: str, params: dict[str, Any] | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.params = params or {}


class Unauthorized(ApiError):
    """401: not signed in, token expired, wrong password, locked out."""


class Forbidden(ApiError):
    """403: the role or the window does not allow it."""


class NotFound(ApiError):
    """404: no such ticket, window or service."""


class Conflict(ApiError):
    """409: the state does not allow it now (illegal transition, window held, queue empty)."""


class TooSoon(ApiError):
    """429: too soon after the window's last call."""

    @property
    def retry_after_s(self) -> int:
        return int(self.params.get("retry_after_s", 1))


class InvalidInput(ApiError):
    """422: a field is wrong; `params['problems']` lists them."""


class ServerUnavailable(ApiError):
    """503: the hall service is up but its database is not answering."""


_BY_STATUS: dict[int, type[ApiError]] = {
    401: Unauthorized,
    403: Forbidden,
    404: NotFound,
    409: Conflict,
    422: InvalidInput,
    429: TooSoon,
    503: ServerUnavailable,
}


def error_for(status: int, code: str, message: str, params: dict[str, Any]) -> ApiError:
    return _BY_STATUS.get(status, ApiError)(status, code, message, params)
