"""The hall board's widgets: the latest call in large letters, readable across the hall; the
recent calls; the queues; the hours and the closing notice; the lines that say the board is
offline or silent."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from rich.console import RenderableType
from rich.table import Table
from rich.text import Text
from textual.widgets import Static

from clerkdesk.api import board_schemas as bw
from clerkdesk.i18n import _
from clerkdesk.state.board import BoardCall, call_words, times_called_words
from clerkdesk.widgets.ticket_number import block_lines

# Five rows by five pixels a glyph; "#" is a pixel.
FONT: dict[str, tuple[str, str, str, str, str]] = {
    "0": (".###.", "#...#", "#...#", "#...#", ".###."),
    "1": ("..#..", ".##..", "..#..", "..#..", ".###."),
    "2": (".###.", "#...#", "..##.", ".#...", "#####"),
    "3": ("####.", "....#", ".###.", "....#", "####."),
    "4": ("#..#.", "#..#.", "#####", "...#.", "...#."),
    "5": ("#####", "#....", "####.", "....#", "####."),
    "6": (".###.", "#....", "####.", "#...#", ".###."),
    "7": ("#####", "...#.", "..#..", ".#...", ".#..."),
    "8": (".###.", "#...#", ".###.", "#...#", ".###."),
    "9": (".###.", "#...#", ".####", "....#", ".###."),
    "A": (".###.", "#...#", "#####", "#...#", "#...#"),
    "B": ("####.", "#...#", "####.", "#...#", "####."),
    "C": (".####", "#....", "#....", "#....", ".####"),
    "D": ("####.", "#...#", "#...#", "#...#", "####."),
    "E": ("#####", "#....", "####.", "#....", "#####"),
    "F": ("#####", "#....", "####.", "#....", "#...."),
    "G": (".####", "#....", "#..##", "#...#", ".###."),
    "H": ("#...#", "#...#", "#####", "#...#", "#...#"),
    "I": (".###.", "..#..", "..#..", "..#..", ".###."),
    "J": ("..###", "...#.", "...#.", "#..#.", ".##.."),
    "K": ("#...#", "#..#.", "###..", "#..#.", "#...#"),
    "L": ("#....", "#....", "#....", "#....", "#####"),
    "M": ("#...#", "##.##", "#.#.#", "#...#", "#...#"),
    "N": ("#...#", "##..#", "#.#.#", "#..##", "#...#"),
    "O": (".###.", "#...#", "#...#", "#...#", ".###."),
    "P": ("####.", "#...#", "####.", "#....", "#...."),
    "Q": (".###.", "#...#", "#.#.#", "#..#.", ".##.#"),
    "R": ("####.", "#...#", "####.", "#..#.", "#...#"),
    "S": (".####", "#....", ".###.", "....#", "####."),
    "T": ("#####", "..#..", "..#..", "..#..", "..#.."),
    "U": ("#...#", "#...#", "#...#", "#...#", ".###."),
    "V": ("#...#", "#...#", "#...#", ".#.#.", "..#.."),
    "W": ("#...#", "#...#", "#.#.#", "##.##", "#...#"),
    "X": ("#...#", ".#.#.", "..#..", ".#.#.", "#...#"),
    "Y": ("#...#", ".#.#.", "..#..", "..#..", "..#.."),
    "Z": ("#####", "...#.", "..#..", ".#...", "#####"),
    ">": ("..#..", "...#.", "#####", "...#.", "..#.."),
}
SCALES = ((6, 3), (4, 2), (3, 2), (2, 1))
"""Pixel sizes (columns, rows), largest first: a terminal cell is about twice as tall as wide,
so two columns by one row is a square pixel."""


def big_lines(text: str, sx: int, sy: int) -> list[str] | None:
    """`text` in the five-row font, each pixel `sx` cells wide and `sy` rows tall, glyphs `sx`
    cells apart (a space: one pixel more); None if a character has no glyph."""
    glyphs: list[tuple[str, ...] | None] = []
    for ch in text.upper():
        if ch == " ":
            glyphs.append(None)
        elif ch in FONT:
            glyphs.append(FONT[ch])
        else:
            return None
    rows: list[str] = []
    for r in range(5):
        cells = []
        for glyph in glyphs:
            if glyph is None:
                cells.append(" " * sx)
            else:
                cells.append("".join(("█" if px == "#" else " ") * sx for px in glyph[r]))
        row = (" " * sx).join(cells)
        rows.extend([row] * sy)
    return rows


def fit_big(ticket: str, window: int, width: int, height: int) -> list[str] | None:
    """The ticket, an arrow and the window, as large as fits `width` x `height` cells: the
    five-row font (spaced, else close), else the counter's three-row letters; None if neither
    fits."""
    for sx, sy in SCALES:
        if 5 * sy > height:
            continue
        for text in (f"{ticket} > {window}", f"{ticket}>{window}"):
            lines = big_lines(text, sx, sy)
            if lines is not None and len(lines[0]) <= width:
                return lines
    code, number = block_lines(ticket), block_lines(str(window))
    if code is None or number is None or height < 3:
        return None
    small = [
        f"{a}{arrow}{b}" for a, arrow, b in zip(code, ("   ", " → ", "   "), number, strict=True)
    ]
    return small if len(small[0]) <= width else None


class CallBanner(Static):
    """The call being announced: the ticket and the window in large letters, then the words
    ("请 A023 号到 5 号窗口"), and how often it has been called."""

    DEFAULT_CSS = """
    CallBanner {
        height: 1fr;
        min-height: 5;
        content-align: center middle;
        text-align: center;
        border: heavy $primary;
        color: $text;
        text-style: bold;
    }
    CallBanner.recall { border: heavy $warning; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("", id=id)
        self.call: BoardCall | None = None

    def show(self, call: BoardCall | None) -> None:
        self.call = call
        self.set_class(call is not None and call.times_called > 1, "recall")
        self.refresh()

    def render(self) -> RenderableType:
        call = self.call
        if call is None:
            return Text(_("Waiting for the first call"), style="not bold")
        words = call_words(call)
        again = times_called_words(call)
        caption = _("{call} ({times})").format(call=words, times=again) if again else words
        width, height = self.content_size.width, self.content_size.height
        lines = fit_big(call.ticket, call.window, width, max(0, height - 2))
        if lines is None:
            return Text(caption)
        return Text("\n".join([*lines, "", caption]))


def _clock(moment: datetime, zone: ZoneInfo) -> str:
    return f"{moment.astimezone(zone):%H:%M}"


class RecentCalls(Static):
    """The latest calls, newest first: ticket, window, time, and which call it was."""

    DEFAULT_CSS = """
    RecentCalls {
        width: 1fr;
        height: 1fr;
        border: round $border;
        border-title-color: $text-primary;
        padding: 0 1;
    }
    """

    def show(self, calls: list[BoardCall], zone: ZoneInfo) -> None:
        self.border_title = _("Recent calls")
        table = Table.grid(padding=(0, 2))
        for _n in range(4):
            table.add_column()
        rows = max(1, self.content_size.height or len(calls))
        for call in calls[:rows]:
            table.add_row(
                Text(call.ticket, style="bold"),
                _("window {n}").format(n=call.window),
                _clock(call.at, zone),
                Text(times_called_words(call), style="italic"),
            )
        self.update(table if calls else Text(_("No calls yet today"), style="italic"))


class Queues(Static):
    """Citizens waiting, per service."""

    DEFAULT_CSS = """
    Queues {
        width: 1fr;
        height: 1fr;
        border: round $border;
        border-title-color: $text-primary;
        padding: 0 1;
    }
    """

    def show(self, queues: list[bw.BoardQueueOut], wide: bool) -> None:
        self.border_title = _("Waiting")
        table = Table.grid(padding=(0, 2), expand=True)
        table.add_column(ratio=1, no_wrap=True, overflow="ellipsis")
        table.add_column(justify="right", no_wrap=True)
        shown = [q for q in queues if q.waiting] or queues
        rows = max(1, self.content_size.height or len(shown))
        if len(shown) > rows:  # the longest queues first when not all fit
            shown = sorted(shown, key=lambda q: -q.waiting)[:rows]
        for q in shown:
            name = f"{q.prefix}  {q.service_name}" if wide else q.service_name
            table.add_row(name, _("{n} waiting").format(n=q.waiting))
        self.update(table)


class HoursLine(Static):
    """Today's hours, and the closing notice of an approved extension (延时服务)."""

    DEFAULT_CSS = """
    HoursLine { height: auto; padding: 0 1; color: $text-muted; }
    HoursLine.extended { color: $text-warning; text-style: bold; }
    """

    def show(self, hours: str, notice: str) -> None:
        self.set_class(bool(notice), "extended")
        self.update(f"{notice}   {hours}" if notice else hours)


class BoardHeader(Static):
    """The hall's name and the hall's time."""

    DEFAULT_CSS = """
    BoardHeader { height: 1; padding: 0 1; background: $primary; color: $text; }
    """

    def show(self, hall: str, clock: str, width: int) -> None:
        gap = max(1, width - 2 - len(clock) - _cells(hall))
        self.update(f"{hall}{' ' * gap}{clock}")


def _cells(text: str) -> int:
    from rich.cells import cell_len

    return cell_len(text)


class NoticeLine(Static):
    """One line: offline (and reconnecting), or that the voice is off and why."""

    DEFAULT_CSS = """
    NoticeLine { height: 1; padding: 0 1; color: $text-muted; }
    NoticeLine.offline { background: $error; color: $text; text-style: bold; }
    """

    def say(self, text: str, offline: bool = False) -> None:
        self.set_class(offline, "offline")
        self.update(text)
