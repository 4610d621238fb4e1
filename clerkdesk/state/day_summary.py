"""The window's day when the clerk closes it at its end, without Textual: the question before
closing, and the summary after (served, no-shows, the extension used, the overrun recorded),
from the clerk's counts and the hall's record of the closing (`POST /windows/{n}/close`)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from clerkdesk.api import schemas as w
from clerkdesk.i18n import _, ngettext
from clerkdesk.state.display import local_time, minutes_span


def _minutes(minutes: int) -> str:
    """ "10 min", "1 h 05 min"; none is "0 min" (never "0 s")."""
    return minutes_span(minutes) if minutes > 0 else _("{n} min").format(n=0)


def counts_text(counts: w.DayCounts | None) -> str:
    if counts is None:
        return _("Served: — · No-shows: —")
    return _("Served: {served} · No-shows: {no_shows}").format(
        served=counts.served, no_shows=counts.no_shows
    )


def close_question(window: int, end: datetime, counts: w.DayCounts | None, zone: ZoneInfo) -> str:
    """Asked before leaving a window at or past its end: that is its closing for the day."""
    return _(
        "Window {n} ended at {end}: close it for today? The time you leave is recorded as its "
        "end.\n{counts}"
    ).format(n=window, end=local_time(end, zone), counts=counts_text(counts))


def extension_text(closing: w.WindowClosingOut, zone: ZoneInfo) -> str:
    if closing.extension_minutes <= 0 or closing.window_end is None:
        return _("Extension: none.")
    return _("Extension: {minutes}, to {end}.").format(
        minutes=minutes_span(closing.extension_minutes), end=local_time(closing.window_end, zone)
    )


def overrun_text(closing: w.WindowClosingOut, zone: ZoneInfo) -> str:
    overrun = closing.overrun
    if overrun is None:
        return _("Overrun: none; closed within the window's time.")
    return _("Overrun: {minutes} past {end}, for the duty lead to confirm as overtime.").format(
        minutes=minutes_span(overrun.minutes), end=local_time(overrun.window_end, zone)
    )


def leftovers_text(closing: w.WindowClosingOut) -> str | None:
    """What the hall's end-of-day rule did with citizens still waiting (None: nothing)."""
    codes = closing.leftover_tickets
    if not codes or closing.end_of_day_rule is None:
        return None
    shown = ", ".join(codes[:4]) + ("…" if len(codes) > 4 else "")
    if closing.end_of_day_rule == w.EndOfDayRule.carry_over:
        return ngettext(
            "{n} waiting citizen carried over to the next opening: {tickets}.",
            "{n} waiting citizens carried over to the next opening: {tickets}.",
            len(codes),
        ).format(n=len(codes), tickets=shown)
    return ngettext(
        "{n} waiting citizen's ticket cancelled with a notice: {tickets}.",
        "{n} waiting citizens' tickets cancelled with a notice: {tickets}.",
        len(codes),
    ).format(n=len(codes), tickets=shown)


def summary_title(closing: w.WindowClosingOut, zone: ZoneInfo) -> str:
    return _("Window {n} closed at {time}").format(
        n=closing.window, time=local_time(closing.actual_end, zone)
    )


def summary_lines(
    closing: w.WindowClosingOut, counts: w.DayCounts | None, zone: ZoneInfo
) -> list[str]:
    """The day's summary, a line each: counts, extension, overrun, the end-of-day rule."""
    lines = [counts_text(counts), extension_text(closing, zone), overrun_text(closing, zone)]
    leftovers = leftovers_text(closing)
    if leftovers is not None:
        lines.append(leftovers)
    return lines


def summary_line(closing: w.WindowClosingOut, counts: w.DayCounts | None, zone: ZoneInfo) -> str:
    """The summary in one line, for the window picker's message after the dialog."""
    served = counts.served if counts else 0
    no_shows = counts.no_shows if counts else 0
    overrun = closing.overrun.minutes if closing.overrun else 0
    return _(
        "Window {n} closed at {time}: served {served}, no-shows {no_shows}, extension "
        "{extension}, overrun {overrun}."
    ).format(
        n=closing.window,
        time=local_time(closing.actual_end, zone),
        served=served,
        no_shows=no_shows,
        extension=_minutes(closing.extension_minutes),
        overrun=_minutes(overrun),
    )
