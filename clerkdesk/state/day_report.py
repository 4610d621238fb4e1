"""The day report screen's state and wording, without Textual: which service day it shows (today
or a day before; never one still to come), and the report's rows as the screen writes them, with
the figures and words of `clerkdesk report day`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from clerkdesk.api import report_schemas as rw
from clerkdesk.api import schemas as w
from clerkdesk.i18n import N_, _

COLUMNS: tuple[tuple[str, str], ...] = (
    ("name", N_("Name")),
    ("issued", N_("Issued")),
    ("served", N_("Served")),
    ("no_shows", N_("No-shows")),
    ("handoffs", N_("Hand-offs")),
    ("avg_wait", N_("Avg wait")),
    ("p90_wait", N_("P90 wait")),
    ("avg_service", N_("Avg service")),
    ("p90_service", N_("P90 service")),
    ("same_day", N_("Same-day rate")),
    ("ext_asked", N_("Ext. asked")),
    ("ext_approved", N_("Ext. approved")),
    ("ext_minutes", N_("Ext. minutes")),
    ("overruns", N_("Overruns")),
    ("tide", N_("Tide share")),
    ("ratings", N_("Ratings")),
    ("rating_avg", N_("Avg rating")),
)
"""The report's columns (key, header), the CLI's own words; the first stays while scrolling."""
SERVICE_ONLY = frozenset({"issued"})
WINDOW_ONLY = frozenset({"ext_asked", "ext_approved", "ext_minutes", "overruns"})


def minutes_seconds(seconds: float | None) -> str:
    """ "12:05" (minutes and seconds), as the CLI writes a wait or a service time."""
    if seconds is None:
        return "—"
    whole = round(seconds)
    return f"{whole // 60}:{whole % 60:02d}"


def percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def count(value: int | None) -> str:
    return "—" if value is None else str(value)


def cells(row: rw.DayReportRowOut) -> dict[str, str]:
    """A row's cells by column key (the day as a whole: "All services")."""
    return {
        "name": _("All services") if row.key == "*" else row.label,
        "issued": count(row.issued),
        "served": str(row.served),
        "no_shows": str(row.no_shows),
        "handoffs": str(row.handoffs),
        "avg_wait": minutes_seconds(row.avg_wait_s),
        "p90_wait": minutes_seconds(row.p90_wait_s),
        "avg_service": minutes_seconds(row.avg_service_s),
        "p90_service": minutes_seconds(row.p90_service_s),
        "same_day": percent(row.same_day_rate),
        "ext_asked": count(row.extensions_asked),
        "ext_approved": count(row.extensions_approved),
        "ext_minutes": count(row.extension_minutes),
        "overruns": count(row.overruns),
        "tide": percent(row.tide_share),
        "ratings": str(row.ratings),
        "rating_avg": "—" if row.rating_avg is None else f"{row.rating_avg:.2f}",
    }


def columns_for(part: str) -> list[tuple[str, str]]:
    """The columns of the per-service part ("services") or the per-window part ("windows"):
    each leaves out what the other alone has (a window issues nothing; a service asks for no
    extension). The first column is the service's or the window's name."""
    left_out = WINDOW_ONLY if part == "services" else SERVICE_ONLY
    first = _("Service") if part == "services" else _("Window")
    return [
        (key, first if key == "name" else _(header))
        for key, header in COLUMNS
        if key not in left_out
    ]


def _spread_text(spread: w.SpreadOut | None) -> str:
    if spread is None or spread.spread is None or spread.std_dev is None:
        return "—"
    return _("{spread} (std dev {std}) over {n} windows").format(
        spread=percent(spread.spread), std=percent(spread.std_dev), n=spread.windows
    )


def spread_lines(report: rw.DayReportOut) -> list[str]:
    """The busy-share spread of the day, and before / after its first tide window."""
    lines = [_("Busy share spread (max − min): {text}").format(text=_spread_text(report.spread))]
    if report.first_tide_at is not None:
        lines.append(
            _("Before the first tide window: {before}; after: {after}").format(
                before=_spread_text(report.spread_before_tide),
                after=_spread_text(report.spread_after_tide),
            )
        )
    return lines


@dataclass
class ReportDay:
    """The service day the screen shows: today, or any day before it."""

    today: date
    day: date

    @property
    def is_today(self) -> bool:
        return self.day == self.today

    def earlier(self) -> bool:
        self.day -= timedelta(days=1)
        return True

    def later(self) -> bool:
        """One day on; False at today (no report of a day still to come)."""
        if self.day >= self.today:
            return False
        self.day += timedelta(days=1)
        return True

    def back_to_today(self) -> bool:
        changed = self.day != self.today
        self.day = self.today
        return changed

    def choose(self, text: str) -> str | None:
        """Go to the day typed as YYYY-MM-DD; why not, else (None: done)."""
        try:
            chosen = date.fromisoformat(text.strip())
        except ValueError:
            return _("Give the date as YYYY-MM-DD, e.g. 2026-12-11.")
        if chosen > self.today:
            return _("{day} is still to come: pick today or a day before it.").format(
                day=chosen.isoformat()
            )
        self.day = chosen
        return None

    def title(self) -> str:
        if self.is_today:
            return _("Day report {day} (today)").format(day=self.day.isoformat())
        return _("Day report {day}").format(day=self.day.isoformat())
