"""`clerkdesk export overtime|leave --month 2026-12 [--db URL] [--out FILE]`: the HR exports of a
month, as CSV in UTF-8 with a BOM (Excel opens Chinese names), read from the hall's database.

To hook into the CLI: `ledger_cli.add_parser(sub)` beside the other sub-commands, and for
`args.command == "export"` return `ledger_cli.run(args)`.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from clerkdesk import config
from clerkdesk.i18n import _

MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    export = sub.add_parser("export", help=_("HR exports of overtime and comp leave (CSV)"))
    export.add_argument("what", choices=["overtime", "leave"])
    export.add_argument("--month", required=True, help=_("the month, e.g. 2026-12"))
    export.add_argument("--db", help=_("database URL (default: SQLite in the user data dir)"))
    export.add_argument("--out", type=Path, help=_("write to this file (default: standard output)"))


def run(args: argparse.Namespace) -> int:
    if not MONTH.match(args.month):
        print(_("Give the month as YYYY-MM, e.g. 2026-12."), file=sys.stderr)
        return 2
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from clerkdesk.hall.ledger.exports import leave_csv, overtime_csv
    from clerkdesk.hall.store import migrate
    from clerkdesk.hall.store.engine import make_engine
    from clerkdesk.hall.store.models import Hall

    engine = make_engine(args.db or config.default_database_url())
    try:
        migrate.upgrade(engine)
        with Session(engine) as session:
            hall_id = session.scalars(select(Hall.id).order_by(Hall.id)).first()
            if hall_id is None:
                print(
                    _("This database holds no hall yet: import a hall file first."), file=sys.stderr
                )
                return 2
            build = overtime_csv if args.what == "overtime" else leave_csv
            text = build(session, hall_id, args.month)
    finally:
        engine.dispose()
    if args.out is None:
        sys.stdout.buffer.write(text.encode("utf-8"))
    else:
        args.out.write_text(text, encoding="utf-8", newline="")
    return 0
