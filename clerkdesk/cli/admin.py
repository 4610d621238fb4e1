"""`clerkdesk admin`: a hall's database directly, through the hall's own service functions (a
hall file import, a password, the calendar); nothing here writes a row itself."""

from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from clerkdesk import config
from clerkdesk.cli import admin_calendar
from clerkdesk.i18n import _

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from clerkdesk.hall.setup.hall_file import HallFile


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    admin = sub.add_parser("admin", help="manage a hall's database directly")
    admin.add_argument("--db", help="database URL (default: SQLite in the user data dir)")
    verbs = admin.add_subparsers(dest="verb", required=True)
    load = verbs.add_parser("import", help="load or update a whole hall from a TOML file")
    load.add_argument("hall_file", type=Path)
    password = verbs.add_parser("set-password", help="set a staff member's password")
    password.add_argument("staff_no")
    admin_calendar.add_parser(verbs)
    backup = verbs.add_parser(
        "backup", help="copy the hall's SQLite database to a file, safely while it serves"
    )
    backup.add_argument("path", type=Path)
    backup.add_argument("--force", action="store_true", help="overwrite an existing file")
    restore = verbs.add_parser(
        "restore", help="replace the hall's SQLite database with a backup (server stopped)"
    )
    restore.add_argument("path", type=Path)
    restore.add_argument(
        "--force", action="store_true", help="replace the database that is there now"
    )


def run(args: argparse.Namespace) -> int:
    # Here, not at the top: a workstation on a remote hall needs no SQLAlchemy (0.2 s to import).
    from clerkdesk.cli import trouble
    from clerkdesk.clock import SystemClock
    from clerkdesk.hall.setup import hall_file
    from clerkdesk.hall.store import migrate
    from clerkdesk.hall.store.engine import make_engine
    from clerkdesk.hall.store.opening import DatabaseProblem, open_database

    url = args.db or config.default_database_url()
    if args.verb in ("backup", "restore"):  # the file as it is: not opened by the hall first
        return _backup_or_restore(args, url)
    spec = None
    if args.verb == "import":  # a bad file is refused before the database is even opened
        try:
            spec = hall_file.load_hall_file(args.hall_file)
        except hall_file.HallFileError as exc:
            print(_("Nothing was imported. {reason}").format(reason=exc), file=sys.stderr)
            return 2

    def opened() -> Engine:
        engine = make_engine(url)
        try:
            migrate.upgrade(engine)
        except BaseException:
            engine.dispose()
            raise
        return engine

    try:
        engine = open_database(url, opened, waiting=trouble.say_waiting)
    except DatabaseProblem as problem:
        return trouble.say_database_problem(problem)
    try:
        if args.verb == "calendar":
            return admin_calendar.run(args, engine, SystemClock())
        if args.verb == "import" and spec is not None:
            return _import(engine, url, spec)
        if args.verb == "set-password":
            return _set_password(engine, args.staff_no)
    finally:
        engine.dispose()
    return 2


def _import(engine: Engine, url: str, spec: HallFile) -> int:
    from sqlalchemy.orm import Session

    from clerkdesk.clock import SystemClock
    from clerkdesk.hall.setup import hall_file
    from clerkdesk.hall.store.opening import safe_name

    try:
        with Session(engine) as session, session.begin():
            report = hall_file.import_hall(session, spec, SystemClock().now())
    except hall_file.HallFileError as exc:
        print(_("Nothing was imported. {reason}").format(reason=exc), file=sys.stderr)
        return 2
    print(_("Hall {hall} loaded into {database}").format(hall=report.hall, database=safe_name(url)))
    for line in report.created:
        print(_("  created     {what}").format(what=line))
    for line in report.deactivated:
        print(_("  deactivated {what}").format(what=line))
    for staff_no, password in report.first_passwords.items():
        print(
            _(
                "  first password for {staff_no}: {password}  (change it: "
                "clerkdesk admin set-password {staff_no})"
            ).format(staff_no=staff_no, password=password)
        )
    return 0


def _set_password(engine: Engine, staff_no: str) -> int:
    """A new password; the sign-ins taken with the old one end, on every workstation."""
    from sqlalchemy.orm import Session

    from clerkdesk.clock import SystemClock
    from clerkdesk.hall.access import staff_admin

    password = getpass.getpass(_("New password for {staff_no}: ").format(staff_no=staff_no))
    try:
        with Session(engine) as session, session.begin():
            ended = staff_admin.set_password(session, staff_no, password, SystemClock().now())
    except staff_admin.PasswordTooShort:
        print(_("Passwords need at least 4 characters; nothing was changed."), file=sys.stderr)
        return 2
    except staff_admin.UnknownStaff:
        print(
            _("No staff number {staff_no}; nothing was changed.").format(staff_no=staff_no),
            file=sys.stderr,
        )
        return 2
    print(_("Password of {staff_no} changed.").format(staff_no=staff_no))
    if ended:
        print(
            _(
                "Open sign-ins of {staff_no} ended: {count}; sign in again with the new password."
            ).format(staff_no=staff_no, count=ended)
        )
    return 0


def _backup_or_restore(args: argparse.Namespace, url: str) -> int:
    from clerkdesk.hall.ops import backup as ops
    from clerkdesk.hall.store.opening import safe_name

    try:
        if args.verb == "backup":
            copied = ops.backup(url, args.path, overwrite=args.force)
            print(
                _(
                    "Backup of {database} written to {path}: {tickets} tickets, "
                    "revision {revision}, {size} bytes."
                ).format(
                    database=safe_name(url),
                    path=copied.path,
                    tickets=copied.tickets,
                    revision=copied.revision,
                    size=copied.bytes,
                )
            )
            return 0
        restored = ops.restore(args.path, url, overwrite=args.force)
    except ops.BackupProblem as problem:
        print(_backup_problem_line(problem, args.verb), file=sys.stderr)
        return 1 if problem.kind in ("in_use", "damaged") else 2
    except OSError as exc:
        print(_("Nothing was written: {reason}").format(reason=exc), file=sys.stderr)
        return 1
    print(
        _(
            "{database} restored from {path}: {tickets} tickets; revision {old} brought to "
            "{new}. Start the hall service again."
        ).format(
            database=restored.path,
            path=args.path,
            tickets=restored.tickets,
            old=restored.from_revision,
            new=restored.to_revision,
        )
    )
    return 0


def _backup_problem_line(problem: Exception, verb: str) -> str:
    kind = getattr(problem, "kind", "")
    detail = getattr(problem, "detail", "")
    if kind == "postgresql":
        if verb == "backup":
            return _(
                "This hall runs on PostgreSQL: back it up with pg_dump -Fc (see the README, "
                "Running a city); nothing was written."
            )
        return _(
            "This hall runs on PostgreSQL: restore it with pg_restore (see the README, "
            "Running a city); nothing was changed."
        )
    text = {
        "not_a_file": _("{detail} is not a SQLite file: name the hall's file in --db."),
        "no_database": _("There is no hall database at {detail}; nothing was written."),
        "no_backup": _("There is no file {detail}; nothing was changed."),
        "target_exists": _(
            "{detail} exists already; nothing was changed. Add --force to replace it."
        ),
        "same_file": _("{detail} is the hall's database itself; name another file."),
        "in_use": _(
            "{detail} is open in a running hall service or workstation: stop it first; "
            "nothing was changed."
        ),
        "damaged": _("The file is damaged ({detail}); nothing was changed."),
        "not_a_hall": _("Not a ClerkDesk hall backup ({detail}); nothing was changed."),
        "unknown_revision": _(
            "The backup is at revision {detail}, which this version of ClerkDesk does not "
            "know (made by a newer one?); nothing was changed."
        ),
    }.get(kind, _("Nothing was changed: {detail}"))
    return text.format(detail=detail)
