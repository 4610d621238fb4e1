"""A citizen's ticket as it is printed and shown: its lines of plain text, and its QR code (the
ticket's status link) as a matrix of modules and as Unicode half blocks, two modules a row.

Widths are terminal cells (a Chinese character takes two): a 58 mm receipt printer prints 32
of them a line, an 80 mm one 48.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import segno
from rich.cells import cell_len

from clerkdesk.i18n import _

WIDTH = 32
"""Cells a line on a 58 mm receipt printer (16 Chinese characters)."""


@dataclass(frozen=True)
class PrintedTicket:
    """Everything a printed ticket carries (from the kiosk's slip and its settings)."""

    hall_name: str
    code: str
    service_name: str
    department_name: str
    issued_at: datetime
    """In the hall's time."""
    people_ahead: int | None
    status_url: str
    green_channel: bool = False
    appointment_at: datetime | None = None
    """An appointment's slot (预约), in the hall's time."""


def qr_matrix(data: str, border: int = 2) -> list[list[bool]]:
    """The QR code of `data` (error correction M), dark modules True, with `border` light
    modules around it (the quiet zone)."""
    code = segno.make(data, error="m", micro=False)
    return [[bool(module) for module in row] for row in code.matrix_iter(scale=1, border=border)]


def half_blocks(matrix: list[list[bool]], dark: str = "█") -> list[str]:
    """Two rows of modules per line of text: the upper one in the upper half of a cell, the
    lower one in its lower half. `dark` is the full block for dark-on-light paper; a screen
    that draws light text on a dark background swaps the colours instead (see widgets)."""
    upper, lower, both, none = "▀", "▄", dark, " "
    lines: list[str] = []
    for top in range(0, len(matrix), 2):
        row = matrix[top]
        below = matrix[top + 1] if top + 1 < len(matrix) else [False] * len(row)
        cells = []
        for a, b in zip(row, below, strict=True):
            cells.append(both if a and b else upper if a else lower if b else none)
        lines.append("".join(cells))
    return lines


def centred(text: str, width: int) -> str:
    gap = max(0, width - cell_len(text))
    return " " * (gap // 2) + text


def ahead_words(people_ahead: int | None) -> str:
    if people_ahead is None:
        return ""
    if people_ahead == 0:
        return _("You are next in line")
    return _("{n} waiting before you").format(n=people_ahead)


def info_lines(ticket: PrintedTicket) -> list[str]:
    """The ticket's words, without its number and QR code (the screen draws those apart)."""
    lines = [ticket.service_name]
    if ticket.department_name and ticket.department_name not in ticket.service_name:
        lines.append(f"({ticket.department_name})")
    if ticket.green_channel:
        lines.append(_("Green channel (elderly, disabled)"))
    if ticket.appointment_at is not None:
        slot = f"{ticket.appointment_at:%H:%M}"
        lines.append(_("Appointment at {time}").format(time=slot))
    lines.append(_("Taken at {time}").format(time=f"{ticket.issued_at:%Y-%m-%d %H:%M}"))
    ahead = ahead_words(ticket.people_ahead)
    if ahead:
        lines.append(ahead)
    return lines


def text_lines(ticket: PrintedTicket, width: int = WIDTH) -> list[str]:
    """The whole ticket as plain text lines, `width` cells wide (its QR code may be wider)."""
    rule = "-" * width
    lines = [centred(ticket.hall_name, width), rule, "", centred(ticket.code, width), ""]
    lines += [centred(line, width) for line in info_lines(ticket)]
    lines.append("")
    if ticket.status_url:  # none when the hall could not give the ticket's status link
        qr = half_blocks(qr_matrix(ticket.status_url))
        lines += [centred(line, width) for line in qr]
        lines.append(centred(_("Scan to follow your ticket"), width))
    lines.append(centred(_("Watch the hall's screen for your number"), width))
    lines.append(rule)
    return lines


def ticket_text(ticket: PrintedTicket, width: int = WIDTH) -> str:
    return "\n".join(line.rstrip() for line in text_lines(ticket, width)) + "\n"
