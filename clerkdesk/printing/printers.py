"""The printers a kiosk may name in its config (`[kiosk.printer]`), each with one blocking
`print_ticket` that raises `PrintFailed` saying why:

- `screen`: no printer; the kiosk shows the ticket on its screen, and that is the ticket.
- `file`:   the plain-text ticket appended to a file (a spool, a log, a test).
- `escpos`: ESC/POS bytes written to a device such as /dev/usb/lp0 (or a file).
- `lp`:     CUPS: `lp -d NAME`, the plain text on its standard input (`raw = true`: the ESC/POS
            bytes with `-o raw`). The command runs through an injected runner (tests, a wrapper).
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from clerkdesk.i18n import _
from clerkdesk.printing.escpos import escpos_ticket
from clerkdesk.printing.ticket import WIDTH, PrintedTicket, ticket_text

Runner = Callable[..., "subprocess.CompletedProcess[bytes]"]
"""`subprocess.run`'s shape: (argv, input=bytes, capture_output=True, timeout=s)."""
PRINT_TIMEOUT_S = 15.0


class PrintFailed(Exception):
    """The ticket did not come out; the reason in words, for the kiosk's log and its staff."""


class Printer(Protocol):
    @property
    def prints(self) -> bool:
        """False: there is no paper; the screen shows the ticket."""
        ...

    def describe(self) -> str: ...

    def print_ticket(self, ticket: PrintedTicket) -> None: ...


@dataclass(frozen=True)
class ScreenOnly:
    prints: bool = False

    def describe(self) -> str:
        return _("no printer: tickets are shown on the screen")

    def print_ticket(self, ticket: PrintedTicket) -> None:
        return None


def _write(path: Path, data: bytes, append: bool) -> None:
    """`append`: to a file, made if missing; else to a device that must be there (a printer
    unplugged is a failed print, not a new file under /dev)."""
    try:
        flags = os.O_WRONLY | (os.O_APPEND | os.O_CREAT if append else 0)
        fd = os.open(path, flags, 0o644)
        try:
            view = memoryview(data)
            while view:
                written = os.write(fd, view)
                view = view[written:]
        finally:
            os.close(fd)
    except OSError as exc:
        raise PrintFailed(f"{path}: {exc.strerror or exc}") from exc


@dataclass(frozen=True)
class TextFile:
    path: Path
    width: int = WIDTH
    prints: bool = True

    def describe(self) -> str:
        return _("plain text to {path}").format(path=self.path)

    def print_ticket(self, ticket: PrintedTicket) -> None:
        text = ticket_text(ticket, self.width) + "\f\n"  # a form feed between tickets
        _write(self.path, text.encode("utf-8"), append=True)


@dataclass(frozen=True)
class EscPosDevice:
    path: Path
    encoding: str = "gb18030"
    prints: bool = True

    def describe(self) -> str:
        return _("ESC/POS to {path}").format(path=self.path)

    def print_ticket(self, ticket: PrintedTicket) -> None:
        data = escpos_ticket(ticket, self.encoding)
        device = self.path.is_char_device() or self.path.parts[:2] == ("/", "dev")
        _write(self.path, data, append=not device)


@dataclass(frozen=True)
class Cups:
    name: str
    raw: bool = False
    width: int = WIDTH
    encoding: str = "gb18030"
    runner: Runner = field(default=subprocess.run, compare=False)
    prints: bool = True

    def describe(self) -> str:
        return _("CUPS printer {name} (lp)").format(name=self.name)

    def command(self) -> list[str]:
        argv = ["lp", "-d", self.name, "-t", "clerkdesk-ticket"]
        return [*argv, "-o", "raw"] if self.raw else argv

    def print_ticket(self, ticket: PrintedTicket) -> None:
        if self.raw:
            data = escpos_ticket(ticket, self.encoding)
        else:
            data = ticket_text(ticket, self.width).encode("utf-8")
        try:
            done = self.runner(
                self.command(), input=data, capture_output=True, timeout=PRINT_TIMEOUT_S
            )
        except FileNotFoundError as exc:
            raise PrintFailed("lp is not installed (CUPS)") from exc
        except (OSError, subprocess.SubprocessError) as exc:
            raise PrintFailed(f"lp: {exc}") from exc
        if done.returncode != 0:
            said = (done.stderr or b"").decode("utf-8", errors="replace").strip()
            raise PrintFailed(f"lp -d {self.name} exited {done.returncode}: {said}".rstrip(": "))


class PrinterConfigError(ValueError):
    pass


KINDS: Sequence[str] = ("screen", "file", "escpos", "lp")


def printer_from_config(table: Mapping[str, Any] | None, runner: Runner | None = None) -> Printer:
    """The printer `[kiosk.printer]` names (no table: the screen alone)."""
    if not table:
        return ScreenOnly()
    kind = str(table.get("kind", "screen"))
    width = table.get("width", WIDTH)
    if not isinstance(width, int) or not 16 <= width <= 80:
        raise PrinterConfigError(
            f"[kiosk.printer] width = {width!r}: a whole number of characters, 16 to 80 "
            "(32 for 58 mm paper, 48 for 80 mm)"
        )
    encoding = str(table.get("encoding", "gb18030"))
    try:
        "取号".encode(encoding)
    except (LookupError, UnicodeEncodeError):
        raise PrinterConfigError(
            f"[kiosk.printer] encoding = {encoding!r}: not an encoding for Chinese text; "
            "use gb18030 (or gbk, utf-8)"
        ) from None
    if kind == "screen":
        return ScreenOnly()
    if kind in ("file", "escpos"):
        path = table.get("path")
        if not isinstance(path, str) or not path:
            raise PrinterConfigError(
                f'[kiosk.printer] kind = "{kind}" needs path = "…" (a file, or a device such '
                'as "/dev/usb/lp0")'
            )
        if kind == "file":
            return TextFile(Path(path).expanduser(), width)
        return EscPosDevice(Path(path).expanduser(), encoding)
    if kind == "lp":
        name = table.get("name")
        if not isinstance(name, str) or not name:
            raise PrinterConfigError(
                '[kiosk.printer] kind = "lp" needs name = "…", the CUPS queue (`lpstat -p` '
                "lists them)"
            )
        raw = bool(table.get("raw", False))
        return Cups(name, raw, width, encoding, runner or subprocess.run)
    raise PrinterConfigError(f'[kiosk.printer] kind = "{kind}": use one of {", ".join(KINDS)}')
