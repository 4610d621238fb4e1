"""`clerkdesk admin calendar …`: see and edit a hall's calendar in its database.

    clerkdesk admin calendar show [--from 2026-12-28] [--days 14]
    clerkdesk admin calendar set-day 2026-12-31 rest_day [--note 元旦前调休]
    clerkdesk admin calendar clear-day 2026-12-31
    clerkdesk admin calendar add-session 2026-12-12 20:00 02:00 夜间值班
    clerkdesk admin calendar add-session sat 09:00 12:00 周六值班
    clerkdesk admin calendar remove-session 3
    clerkdesk admin calendar confirm-year 2027

A hall file import (`clerkdesk admin import`) replaces the whole calendar with the file's.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date, time
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from clerkdesk.i18n import N_, _

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from clerkdesk.clock import Clock
    from clerkdesk.hall.calendar.admin import CalendarView, SessionSpec
    from clerkdesk.hall.store.models import DutySessionHours

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAY_TYPE_NAMES = {
    "workday": N_("workday"),
    "rest_day": N_("rest day"),
    "statutory_holiday": N_("statutory holiday"),
}
WEEKDAY_NAMES = (
    N_("Mon"),
    N_("Tue"),
    N_("Wed"),
    N_("Thu"),
    N_("Fri"),
    N_("Sat"),
    N_("Sun"),
)


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            _("{text!r} is not a date: write it as 2026-12-31.").format(text=text)
        ) from None


def _time(text: str) -> time:
    try:
        return time.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            _("{text!r} is not a time of day: write it as 09:00 or 17:30.").format(text=text)
        ) from None


def add_parser(verbs: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    calendar = verbs.add_parser("calendar", help="see and edit the hall calendar")
    calendar.add_argument("--hall", help="the hall's code (when the database holds several)")
    calendar.add_argument("--lang", default=argparse.SUPPRESS, help="zh or en")
    what = calendar.add_subparsers(dest="calendar_verb", required=True)
    show = what.add_parser("show", help="day types, opening hours and duty sessions")
    show.add_argument("--from", dest="first", type=_date, help="first date (default: today)")
    show.add_argument("--days", type=int, default=14, help="how many days (default 14)")
    day = what.add_parser("set-day", help="give a date a day type (wins over the national one)")
    day.add_argument("day", type=_date)
    day.add_argument("day_type", choices=sorted(DAY_TYPE_NAMES))
    day.add_argument("--note", default="")
    clear = what.add_parser("clear-day", help="remove a date's day type override")
    clear.add_argument("day", type=_date)
    add = what.add_parser("add-session", help="open a duty session on a date or every week")
    add.add_argument("when", help="a date (2026-12-12) or a weekday (mon … sun)")
    add.add_argument("start", type=_time)
    add.add_argument("end", type=_time, help="before the start: runs past midnight")
    add.add_argument("label")
    remove = what.add_parser("remove-session", help="remove a duty session by its number")
    remove.add_argument("session_id", type=int)
    year = what.add_parser("confirm-year", help="the year's official swaps are checked")
    year.add_argument("year", type=int)


def run(args: argparse.Namespace, engine: Engine, clock: Clock) -> int:
    from sqlalchemy.orm import Session

    from clerkdesk.api import schemas as w
    from clerkdesk.hall.calendar import admin as edit

    now = clock.now()
    try:
        with Session(engine) as session, session.begin():
            hall = edit.only_hall(session, args.hall)
            verb = args.calendar_verb
            if verb == "show":
                today = now.astimezone(ZoneInfo(hall.timezone)).date()
                _show(edit.view(session, hall, args.first or today, args.days, today))
            elif verb == "set-day":
                changed = edit.set_day_type(
                    session, hall, args.day, w.DayType(args.day_type), args.note, now
                )
                print(_changed(changed).format(day=args.day.isoformat()))
            elif verb == "clear-day":
                changed = edit.set_day_type(session, hall, args.day, None, "", now)
                print(
                    (
                        _("{day} follows the national calendar again.")
                        if changed
                        else _("{day} had no override; nothing was changed.")
                    ).format(day=args.day.isoformat())
                )
            elif verb == "add-session":
                spec = _session_spec(args)
                number = edit.add_session(session, hall, spec, now)
                print(_("Duty session {n} added: {session}").format(n=number, session=_line(spec)))
            elif verb == "remove-session":
                edit.remove_session(session, hall, args.session_id, now)
                print(_("Duty session {n} removed.").format(n=args.session_id))
            elif verb == "confirm-year":
                edit.confirm(session, hall, args.year, now)
                print(
                    _("{year} confirmed: leads and admins no longer see it flagged.").format(
                        year=args.year
                    )
                )
    except edit.CalendarEditError as exc:
        print(_("Nothing was changed. {reason}").format(reason=exc), file=sys.stderr)
        return 2
    return 0


def _changed(changed: bool) -> str:
    if changed:
        return _("{day}: day type set.")
    return _("{day} already had that day type; nothing was changed.")


def _session_spec(args: argparse.Namespace) -> SessionSpec:
    from clerkdesk.hall.calendar.admin import CalendarEditError, SessionSpec

    when = args.when.strip().lower()
    if when[:3] in WEEKDAYS:
        return SessionSpec(None, WEEKDAYS.index(when[:3]), args.start, args.end, args.label)
    try:
        on = date.fromisoformat(when)
    except ValueError:
        raise CalendarEditError(
            _("{when!r} is neither a date (2026-12-12) nor a weekday (mon … sun).").format(
                when=args.when
            )
        ) from None
    return SessionSpec(on, None, args.start, args.end, args.label)


def _line(spec: SessionSpec) -> str:
    """One duty session as a line: when, hours, label."""
    if spec.on_date is not None:
        when = spec.on_date.isoformat()
    else:
        weekday = _(WEEKDAY_NAMES[spec.weekday or 0])
        when = _("every {weekday}").format(weekday=weekday)
    return f"{when}  {spec.start:%H:%M}–{spec.end:%H:%M}  {spec.label}"


def _show(view: CalendarView) -> None:
    from clerkdesk.state.display import pad

    print(_("Hall {hall} ({timezone})").format(hall=view.hall, timezone=view.timezone))
    for year in view.unconfirmed_years:
        print(
            _(
                "! {year}: the official holiday swaps are not confirmed; check them, then "
                "`clerkdesk admin calendar confirm-year {year}`."
            ).format(year=year)
        )
    for day in view.days:
        hours = ", ".join(f"{i.start:%H:%M}–{i.end:%H:%M}" for i in day.intervals) or _("closed")
        notes = [n for n in (day.holiday_name, *day.sessions) if n]
        if day.make_up_workday:
            notes.append(_("make-up workday"))
        if day.overridden:
            notes.append(_("set by an admin"))
        weekday = pad(_(WEEKDAY_NAMES[day.local_date.weekday()]), 5)
        day_type = pad(_(DAY_TYPE_NAMES[day.day_type.value]), 18)
        print(
            f"{day.local_date.isoformat()} {weekday}{day_type}{pad(hours, 26)}{' · '.join(notes)}"
        )
    print(_("Duty sessions:") if view.sessions else _("No duty sessions."))
    for row in view.sessions:
        print(f"  {row.id:>3}  {_line(_as_spec(row))}")


def _as_spec(row: DutySessionHours) -> SessionSpec:
    from clerkdesk.hall.calendar.admin import SessionSpec

    weekday = row.weekday if row.on_date is None else None
    return SessionSpec(row.on_date, weekday, row.start_time, row.end_time, row.label or "—")
