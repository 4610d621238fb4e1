"""Refusals the hall gives, each with a stable code, its parameters and a message that says what
to do. The workstation translates by code; the English message serves everyone else."""

from __future__ import annotations

from typing import Any


class HallError(Exception):
    status_code = 400

    def __init__(self, code: str, message: str, status_code: int | None = None, **params: Any):
        super().__init__(message)
        self.code = code
        self.message = message
        self.params = params
        if status_code is not None:
            self.status_code = status_code
        self.headers: dict[str, str] = {}


class NotSignedIn(HallError):
    status_code = 401

    def __init__(self, code: str, message: str, **params: Any) -> None:
        super().__init__(code, message, **params)
        self.headers = {"WWW-Authenticate": "Bearer"}


class Forbidden(HallError):
    status_code = 403


class NotFound(HallError):
    status_code = 404


class Conflict(HallError):
    status_code = 409


class TooSoon(HallError):
    status_code = 429

    def __init__(self, retry_after_s: float, **params: Any) -> None:
        seconds = max(1, round(retry_after_s + 0.499))
        super().__init__(
            "too_soon",
            f"Calls from one window need {params.get('interval_s', 3)} s between them: "
            f"wait {seconds} s, then call again.",
            retry_after_s=seconds,
            **params,
        )
        self.headers = {"Retry-After": str(seconds)}


class Invalid(HallError):
    status_code = 422


def not_found(kind: str, key: object) -> NotFound:
    return NotFound(
        f"{kind}_not_found",
        f"No {kind} {key!s} in this hall: check the {kind} and try again.",
        key=str(key),
    )
