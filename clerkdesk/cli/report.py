"""`clerkdesk report day --date 2026-12-11 [--csv] [--db URL] [--out FILE]`: the duty lead's day
report, per service and per window (issue 13, item 5): a Rich table, or CSV in UTF-8 with a BOM
(Excel opens the Chinese names). Read from the hall's database, as the HR exports are."""

from __future__ import annotations

import argparse
import csv
import io
import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from clerkdesk import config
from clerkdesk.i18n import _

if TYPE_CHECKING:
    from clerkdesk.hall.monitor.day_report import DayReport
    from clerkdesk.hall.rules.day_report import Row
    from clerkdesk.hall.rules.monitor import Spread

BOM = "\ufeff"


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    report = sub.add_parser("report", help=_("the duty lead's reports"))
    kinds = report.add_subparsers(dest="report", required=True)
    day = kinds.add_parser("day", help=_("one service day per service and per window"))
    day.add_argument("--date", required=True, help=_("the service day, e.g. 2026-12-11"))
    day.add_argument("--csv", action="store_true", help=_("CSV for Excel (UTF-8 with BOM)"))
    day.add_argument("--db", help=_("database URL (default: SQLite in the user data dir)"))
    day.add_argument("--out", type=Path, help=_("write to this file (default: standard output)"))


def columns() -> list[str]:
    return [
        _("Service or window"),
        _("Name"),
        _("Issued"),
        _("Served"),
        _("No-shows"),
        _("Hand-offs"),
        _("Avg wait"),
        _("P90 wait"),
        _("Avg service"),
        _("P90 service"),
        _("Same-day rate"),
        _("Ext. asked"),
        _("Ext. approved"),
        _("Ext. minutes"),
        _("Overruns"),
        _("Tide share"),
        _("Ratings"),
        _("Avg rating"),
    ]


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    whole = round(seconds)
    return f"{whole // 60}:{whole % 60:02d}"


def _share(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def _count(value: int | None) -> str:
    return "—" if value is None else str(value)


def cells(row: Row, all_label: str) -> list[str]:
    return [
        all_label if row.key == "*" else row.key,
        row.label,
        _count(row.issued),
        str(row.served),
        str(row.no_shows),
        str(row.handoffs),
        _duration(row.avg_wait_s),
        _duration(row.p90_wait_s),
        _duration(row.avg_service_s),
        _duration(row.p90_service_s),
        _share(row.same_day_rate),
        _count(row.extensions_asked),
        _count(row.extensions_approved),
        _count(row.extension_minutes),
        _count(row.overruns),
        _share(row.tide_share),
        str(row.ratings),
        "—" if row.rating_avg is None else f"{row.rating_avg:.2f}",
    ]


def _spread_text(spread: Spread | None) -> str:
    if spread is None or spread.spread is None or spread.std_dev is None:
        return "—"
    return _("{spread} (std dev {std}) over {n} windows").format(
        spread=_share(spread.spread), std=_share(spread.std_dev), n=spread.windows
    )


def spread_lines(report: DayReport) -> list[str]:
    lines = [_("Busy share spread (max − min): {text}").format(text=_spread_text(report.spread))]
    if report.first_tide_at is not None:
        lines.append(
            _("Before the first tide window: {before}; after: {after}").format(
                before=_spread_text(report.spread_before_tide),
                after=_spread_text(report.spread_after_tide),
            )
        )
    return lines


def as_csv(report: DayReport) -> str:
    out = io.StringIO()
    out.write(BOM)
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([_("Part"), *columns()])
    for row in report.services:
        writer.writerow([_("service"), *cells(row, _("All services"))])
    for row in report.windows:
        writer.writerow([_("window"), *cells(row, "")])
    return out.getvalue()


def as_table(report: DayReport) -> str:
    from rich.console import Console
    from rich.table import Table

    out = io.StringIO()
    console = Console(file=out, width=260, force_terminal=False, color_system=None)
    for title, rows in (
        (_("{hall}, {day}: per service").format(hall=report.hall, day=report.day), report.services),
        (_("{hall}, {day}: per window").format(hall=report.hall, day=report.day), report.windows),
    ):
        table = Table(title=title)
        for name in columns():
            table.add_column(name, no_wrap=True)
        for row in rows:
            table.add_row(*cells(row, _("All services")))
        console.print(table)
    for line in spread_lines(report):
        console.print(line)
    return out.getvalue()


def load(database_url: str, day: date) -> DayReport | None:
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from clerkdesk.clock import SystemClock
    from clerkdesk.hall.monitor.day_report import read_day
    from clerkdesk.hall.store import migrate
    from clerkdesk.hall.store.engine import make_engine
    from clerkdesk.hall.store.models import Hall

    engine = make_engine(database_url)
    try:
        migrate.upgrade(engine)
        with Session(engine) as session:
            hall_id = session.scalars(select(Hall.id).order_by(Hall.id)).first()
            if hall_id is None:
                return None
            return read_day(session, hall_id, day, SystemClock().now())
    finally:
        engine.dispose()


def run(args: argparse.Namespace) -> int:
    try:
        day = date.fromisoformat(args.date)
    except ValueError:
        print(_("Give the date as YYYY-MM-DD, e.g. 2026-12-11."), file=sys.stderr)
        return 2
    report = load(args.db or config.default_database_url(), day)
    if report is None:
        print(_("This database holds no hall yet: import a hall file first."), file=sys.stderr)
        return 2
    text = as_csv(report) if args.csv else as_table(report)
    if args.out is None:
        sys.stdout.buffer.write(text.encode("utf-8"))
    else:
        args.out.write_text(text, encoding="utf-8", newline="")
    return 0
