"""Signing in under load and under attack: few password checks at once, and wrong passwords
answered with a growing wait (`throttle.py`), the same for staff numbers that do not exist.

Each argon2id check takes 64 MiB and a core for a tenth of a second or more: sixteen clients
sending logins took a server from 84 MiB to 1 GiB. `PasswordChecks` runs at most `slots` at once
and lets `queue` more wait their turn without holding a thread; beyond that a login is refused at
once (503 `sign_in_busy`, `Retry-After`).

The refusals, all with the same code and parameters whether the staff number exists or not:
- 401 `bad_credentials`, params `tries_left` (wrong passwords left before a wait); when this
  wrong password starts a wait, also `retry_after_s` and `retry_after_min` (whole seconds and
  whole minutes, rounded up) and a `Retry-After` header;
- 429 `too_many_tries` while a wait lasts: `retry_after_s`, `retry_after_min`, `tries_left` 0;
- 503 `sign_in_busy`: `retry_after_s`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import timedelta
from typing import TypeVar

from starlette.concurrency import run_in_threadpool

from clerkdesk.hall.access.throttle import SignInThrottle, Verdict, whole_minutes, whole_seconds
from clerkdesk.hall.errors import HallError, NotSignedIn

T = TypeVar("T")
SLOTS = 2
QUEUE = 16


class PasswordChecks:
    """Used from one event loop (the sign-in route)."""

    def __init__(self, slots: int = SLOTS, queue: int = QUEUE) -> None:
        self.slots = slots
        self.queue = queue
        self.admitted = 0
        """Checks running or waiting their turn."""
        self._turns: asyncio.Semaphore | None = None

    async def run(self, check: Callable[[], T]) -> T:
        if self.admitted >= self.slots + self.queue:
            raise sign_in_busy()
        if self._turns is None:
            self._turns = asyncio.Semaphore(self.slots)
        self.admitted += 1
        try:
            async with self._turns:
                return await run_in_threadpool(check)
        finally:
            self.admitted -= 1


class SignInGuard:
    """What stands before the password check: the pool and the wrong-password tallies."""

    def __init__(
        self, checks: PasswordChecks | None = None, throttle: SignInThrottle | None = None
    ) -> None:
        self.checks = checks or PasswordChecks()
        self.throttle = throttle or SignInThrottle()


def _wait_params(wait: timedelta) -> dict[str, int]:
    return {"retry_after_s": whole_seconds(wait), "retry_after_min": whole_minutes(wait)}


def _in_words(wait: timedelta) -> str:
    if wait >= timedelta(minutes=1):
        minutes = whole_minutes(wait)
        return f"{minutes} minute{'s' if minutes != 1 else ''}"
    seconds = whole_seconds(wait)
    return f"{seconds} second{'s' if seconds != 1 else ''}"


def wrong_password(verdict: Verdict) -> NotSignedIn:
    """The answer to a wrong password or an unknown staff number (never which of the two)."""
    if verdict.wait > timedelta(0):
        refusal = NotSignedIn(
            "bad_credentials",
            "Staff number or password is wrong, and that was the last try for now: try again "
            f"in {_in_words(verdict.wait)}.",
            tries_left=0,
            **_wait_params(verdict.wait),
        )
        refusal.headers["Retry-After"] = str(whole_seconds(verdict.wait))
        return refusal
    tries = verdict.tries_left
    return NotSignedIn(
        "bad_credentials",
        f"Staff number or password is wrong: check both and try again ({tries} "
        f"{'try' if tries == 1 else 'tries'} left before a wait).",
        tries_left=tries,
    )


def too_many_tries(wait: timedelta) -> HallError:
    refusal = HallError(
        "too_many_tries",
        f"Too many wrong passwords: try again in {_in_words(wait)}, or ask an admin to check "
        "the password.",
        status_code=429,
        tries_left=0,
        **_wait_params(wait),
    )
    refusal.headers["Retry-After"] = str(whole_seconds(wait))
    return refusal


def sign_in_busy() -> HallError:
    refusal = HallError(
        "sign_in_busy",
        "Many sign-ins at this moment: try again in a second.",
        status_code=503,
        retry_after_s=1,
    )
    refusal.headers["Retry-After"] = "1"
    return refusal
