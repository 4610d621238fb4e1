"""What stops a command before it serves anything, said in one line a person can act on: a
database that cannot be opened, a port that cannot be listened on."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from clerkdesk.i18n import _

if TYPE_CHECKING:
    from clerkdesk.hall.server import PortUnavailable
    from clerkdesk.hall.store.opening import DatabaseProblem

STOPPED = 1
"""The exit status of a command stopped by its database or its port (2: a usage error)."""


def database_line(problem: DatabaseProblem) -> str:
    from clerkdesk.hall.store.opening import Trouble

    values = {"database": problem.database, "reason": problem.reason, "tries": problem.tries}
    if problem.trouble is Trouble.not_answering:
        if problem.tries > 1:
            text = _(
                "The hall database {database} does not answer ({reason}); gave up after "
                "{tries} tries. Start PostgreSQL, or correct the host and port in --db."
            )
        else:
            text = _(
                "The hall database {database} does not answer ({reason}). Start PostgreSQL, "
                "or correct the host and port in --db."
            )
    elif problem.trouble is Trouble.refused:
        text = _(
            "The hall database {database} refused the connection ({reason}). Correct the "
            "user, password or database name in --db."
        )
    elif problem.trouble is Trouble.cannot_open:
        text = _(
            "Cannot open or create the hall database {database} ({reason}). Check that its "
            "folder exists and that you may write there."
        )
    elif problem.trouble is Trouble.not_a_database:
        text = _("{database} is not a SQLite database ({reason}). Name the hall's file in --db.")
    elif problem.trouble is Trouble.bad_url:
        text = _(
            "{database} is not a database ClerkDesk runs on: write --db sqlite:///PATH or "
            "--db postgresql+psycopg://USER@HOST:PORT/NAME."
        )
    else:
        text = _("The hall database {database} cannot be used ({reason}).")
    return text.format(**values)


def say_database_problem(problem: DatabaseProblem) -> int:
    print(database_line(problem), file=sys.stderr)
    return STOPPED


def say_waiting(problem: DatabaseProblem, seconds: float, attempt: int, most: int) -> None:
    """While PostgreSQL does not answer: that it is tried again, when, and how often at most."""
    print(
        _(
            "The hall database {database} does not answer yet ({reason}); trying again in "
            "{seconds} s (try {attempt} of {most})."
        ).format(
            database=problem.database,
            reason=problem.reason,
            seconds=f"{seconds:g}",
            attempt=attempt,
            most=most,
        ),
        file=sys.stderr,
        flush=True,
    )


def say_port_unavailable(problem: PortUnavailable) -> int:
    print(
        _(
            "Cannot listen on {host}:{port} ({reason}): another program may be using it. "
            "Choose another port with --port."
        ).format(host=problem.host, port=problem.port, reason=problem.reason),
        file=sys.stderr,
    )
    return STOPPED
