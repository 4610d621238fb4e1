"""The ticket as ESC/POS bytes for a thermal receipt printer (the common Epson command set that
Chinese kiosk printers speak): Chinese text in GB18030, the number in quadruple size, the QR code
drawn by the printer itself (GS ( k, model 2), then a feed and a partial cut. Written by hand:
a dozen commands, no library."""

from __future__ import annotations

from clerkdesk.i18n import _
from clerkdesk.printing.ticket import PrintedTicket, info_lines

ESC, GS, FS = b"\x1b", b"\x1d", b"\x1c"
INIT = ESC + b"@"
CHINESE_ON = FS + b"&"  # Chinese character mode (GB18030 / GBK printers)
CENTRE, LEFT = ESC + b"a\x01", ESC + b"a\x00"
BOLD_ON, BOLD_OFF = ESC + b"E\x01", ESC + b"E\x00"
NORMAL_SIZE, BIG = GS + b"!\x00", GS + b"!\x33"  # 4x wide and tall for the number
DOUBLE = GS + b"!\x11"
FEED_AND_CUT = ESC + b"d\x04" + GS + b"V\x42\x00"  # feed, then a partial cut


def _qr(data: bytes, size: int = 6) -> bytes:
    def k(function: bytes, payload: bytes) -> bytes:
        length = len(payload) + 2
        return GS + b"(k" + bytes([length % 256, length // 256]) + b"1" + function + payload

    return (
        k(b"A", b"2\x00")  # model 2
        + k(b"C", bytes([size]))  # module size in dots
        + k(b"E", b"1")  # error correction M
        + k(b"P", b"0" + data)  # store the data
        + k(b"Q", b"0")  # print it
    )


def escpos_ticket(ticket: PrintedTicket, encoding: str = "gb18030") -> bytes:
    def text(line: str) -> bytes:
        return line.encode(encoding, errors="replace") + b"\n"

    out = [INIT, CHINESE_ON, CENTRE, text(ticket.hall_name), b"\n"]
    out += [BIG, BOLD_ON, text(ticket.code), BOLD_OFF, NORMAL_SIZE, b"\n"]
    lines = info_lines(ticket)
    out += [DOUBLE, text(lines[0]), NORMAL_SIZE]
    out += [text(line) for line in lines[1:]]
    if ticket.status_url:  # none when the hall could not give the ticket's status link
        out += [b"\n", _qr(ticket.status_url.encode("utf-8")), b"\n"]
        out.append(text(_("Scan to follow your ticket")))
    out.append(text(_("Watch the hall's screen for your number")))
    out += [LEFT, FEED_AND_CUT]
    return b"".join(out)
