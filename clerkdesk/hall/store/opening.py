"""Opening the hall's database at a start (`clerkdesk serve`, `admin`, `demo`, the embedded
hall): what is wrong, in a word a person can act on, instead of a driver's traceback; and some
patience with a PostgreSQL that is still starting (a centre's server and its database often
boot together), a bounded number of times."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import TypeVar

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

from clerkdesk.hall.store.engine import UnsupportedDatabase

T = TypeVar("T")

RETRY_DELAYS_S: tuple[float, ...] = (1.0, 2.0, 4.0, 8.0)
"""PostgreSQL not answering: tried again after these pauses (15 s in all), then given up."""


class Trouble(StrEnum):
    not_answering = "not_answering"  # PostgreSQL: nothing answers at that host and port
    refused = "refused"  # PostgreSQL answered and refused: user, password, database name
    cannot_open = "cannot_open"  # SQLite: the file or its folder cannot be made or opened
    not_a_database = "not_a_database"  # SQLite: the file is something else
    bad_url = "bad_url"  # neither sqlite:///PATH nor postgresql+psycopg://…
    unusable = "unusable"  # anything else the database answered


@dataclass
class DatabaseProblem(Exception):
    """The database cannot be used: `trouble` says which way, `database` names it (without its
    password), `reason` is the driver's own first line, `tries` how often it was tried."""

    trouble: Trouble
    database: str
    reason: str
    tries: int = 1

    def __str__(self) -> str:
        return f"{self.database}: {self.trouble.value} ({self.reason})"

    @property
    def passing(self) -> bool:
        """Worth trying again: a PostgreSQL server not (yet) answering."""
        return self.trouble is Trouble.not_answering


Waiting = Callable[[DatabaseProblem, float, int, int], None]
"""Told before each pause: the problem, the pause in seconds, this try, the most tries."""


def safe_name(url: str) -> str:
    """The URL without its password."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "?"


def problem_of(url: str, exc: BaseException) -> DatabaseProblem:
    database = safe_name(url)
    if isinstance(exc, (UnsupportedDatabase, ArgumentError)):
        return DatabaseProblem(Trouble.bad_url, database, _first_line(exc))
    original = getattr(exc, "orig", None) or exc
    reason = _first_line(original)
    sqlite = database.startswith("sqlite")
    if isinstance(exc, OSError):
        trouble = Trouble.cannot_open
    elif sqlite and "not a database" in reason:
        trouble = Trouble.not_a_database
    elif sqlite and ("unable to open" in reason or "readonly" in reason or "disk" in reason):
        trouble = Trouble.cannot_open
    elif sqlite:
        trouble = Trouble.unusable
    elif "FATAL" in str(original) and "starting up" not in str(original):
        trouble = Trouble.refused
    else:
        trouble = Trouble.not_answering
    return DatabaseProblem(trouble, database, reason)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    # libpq: "connection failed: connection to server at …, port 5433 failed: FATAL:  why";
    # the database's name, host and port are said beside the reason already.
    text = text.split("FATAL:", 1)[-1]
    first = text.splitlines()[0] if text else ""
    if "failed: " in first:
        text = first.rsplit("failed: ", 1)[1]
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if not lines:
        return type(exc).__name__
    return " ".join(lines[0].split())


def pause(seconds: float) -> None:
    time.sleep(seconds)


def open_database(
    url: str,
    open_: Callable[[], T],
    *,
    delays: Sequence[float] | None = None,
    waiting: Waiting | None = None,
) -> T:
    """`open_()` (make the engine, bring the schema to the newest revision, build the app…),
    with every failure to open the database at `url` turned into a `DatabaseProblem`; while
    PostgreSQL does not answer, tried again after each of `delays` (default RETRY_DELAYS_S)."""
    delays = RETRY_DELAYS_S if delays is None else delays
    most = len(delays) + 1
    for attempt in range(1, most + 1):
        try:
            return open_()
        except (SQLAlchemyError, OSError, UnsupportedDatabase) as exc:
            problem = problem_of(url, exc)
            problem.tries = attempt
            if not problem.passing or attempt == most:
                raise problem from None
            delay = delays[attempt - 1]
            if waiting is not None:
                waiting(problem, delay, attempt, most)
            pause(delay)
    raise AssertionError("unreachable")  # pragma: no cover
