"""Printing the kiosk's tickets: the plain-text ticket with its QR code, the ESC/POS bytes, and
the printers a config names, working and failing."""

from __future__ import annotations

import subprocess
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import segno

from clerkdesk.i18n import set_language
from clerkdesk.printing.escpos import escpos_ticket
from clerkdesk.printing.printers import (
    Cups,
    EscPosDevice,
    PrinterConfigError,
    PrintFailed,
    ScreenOnly,
    TextFile,
    printer_from_config,
)
from clerkdesk.printing.ticket import PrintedTicket, half_blocks, qr_matrix, ticket_text
from tests.kiosk_support import FakeLp

A023 = PrintedTicket(
    hall_name="淮南市政务服务中心",
    code="A023",
    service_name="不动产转移登记",
    department_name="不动产登记",
    issued_at=datetime(2026, 12, 11, 9, 12, tzinfo=ZoneInfo("Asia/Shanghai")),
    people_ahead=5,
    status_url="http://hall.example:8470/t/23-AbCdEfGhIjKlMnOp",
)


@pytest.fixture
def zh() -> object:
    set_language("zh")
    yield
    set_language("en")


def test_the_plain_text_ticket_in_chinese(zh: object) -> None:
    text = ticket_text(A023)
    assert "淮南市政务服务中心" in text and "A023" in text and "不动产转移登记" in text
    assert "取号时间 2026-12-11 09:12" in text and "您前面还有 5 人" in text
    assert "扫码查看叫号进度" in text


def test_the_qr_code_in_half_blocks_is_the_status_link() -> None:
    matrix = qr_matrix(A023.status_url)
    expected = segno.make(A023.status_url, error="m", micro=False)
    assert len(matrix) == expected.symbol_size(scale=1, border=2)[0]
    lines = half_blocks(matrix)
    assert len(lines) == (len(matrix) + 1) // 2 and all(len(x) == len(matrix) for x in lines)
    assert lines[0].startswith("  ") and lines[1][2] == "█"  # the quiet zone, the finder's edge
    assert "\n".join(x.rstrip() for x in lines) in ticket_text(A023)  # light ends: no spaces


def test_a_ticket_without_its_status_link_has_no_qr_code() -> None:
    no_link = PrintedTicket(**{**A023.__dict__, "status_url": "", "people_ahead": None})
    text = ticket_text(no_link)
    assert "A023" in text and "█" not in text and "Scan" not in text


def test_escpos_bytes_carry_the_number_large_the_qr_code_and_a_cut() -> None:
    data = escpos_ticket(A023)
    assert data.startswith(b"\x1b@\x1c&")  # initialise, Chinese mode
    assert "不动产转移登记".encode("gb18030") in data
    assert b"\x1d!\x33" + b"\x1bE\x01" + b"A023\n" in data  # 4x size, bold
    url = A023.status_url.encode()
    store = b"\x1d(k" + bytes([len(url) + 3, 0]) + b"1P0" + url
    assert store in data and data.endswith(b"\x1dV\x42\x00")


def test_a_file_printer_appends_each_ticket(tmp_path: Path) -> None:
    spool = tmp_path / "tickets.txt"
    printer = TextFile(spool)
    printer.print_ticket(A023)
    printer.print_ticket(A023)
    assert spool.read_text("utf-8").count("A023") == 2


def test_a_file_that_cannot_be_written_is_a_failed_print(tmp_path: Path) -> None:
    with pytest.raises(PrintFailed, match="no-such-folder"):
        TextFile(tmp_path / "no-such-folder" / "tickets.txt").print_ticket(A023)


def test_an_unplugged_device_is_a_failed_print_not_a_new_file(tmp_path: Path) -> None:
    device = Path("/dev/clerkdesk-test-no-such-printer")
    with pytest.raises(PrintFailed):
        EscPosDevice(device).print_ticket(A023)
    assert not device.exists()
    raw = tmp_path / "raw.bin"  # not under /dev: a file, as for a test
    EscPosDevice(raw).print_ticket(A023)
    assert raw.read_bytes() == escpos_ticket(A023)


def test_lp_is_run_with_the_queue_and_its_exit_code_decides() -> None:
    working, broken = FakeLp(), FakeLp(exit_code=1)
    Cups("KIOSK1", runner=working).print_ticket(A023)
    assert working.jobs[0][0] == ["lp", "-d", "KIOSK1", "-t", "clerkdesk-ticket"]
    with pytest.raises(PrintFailed, match="exited 1"):
        Cups("KIOSK1", runner=broken).print_ticket(A023)
    Cups("KIOSK1", raw=True, runner=working).print_ticket(A023)
    assert working.jobs[1][0][-2:] == ["-o", "raw"]
    assert working.jobs[1][1] == escpos_ticket(A023)


def test_lp_missing_is_a_failed_print() -> None:
    def no_lp(argv: list[str], **_kw: object) -> subprocess.CompletedProcess[bytes]:
        raise FileNotFoundError(argv[0])

    with pytest.raises(PrintFailed, match="not installed"):
        Cups("KIOSK1", runner=no_lp).print_ticket(A023)


def test_the_printer_the_config_names() -> None:
    assert isinstance(printer_from_config(None), ScreenOnly)
    assert printer_from_config({"kind": "file", "path": "/tmp/t.txt", "width": 48}) == TextFile(
        Path("/tmp/t.txt"), 48
    )
    assert printer_from_config({"kind": "escpos", "path": "/dev/usb/lp0"}) == EscPosDevice(
        Path("/dev/usb/lp0")
    )
    assert printer_from_config({"kind": "lp", "name": "KIOSK1", "raw": True}) == Cups(
        "KIOSK1", raw=True
    )
    for wrong, says in (
        ({"kind": "laser"}, "use one of"),
        ({"kind": "file"}, "needs path"),
        ({"kind": "lp"}, "needs name"),
        ({"kind": "file", "path": "x", "width": 5}, "16 to 80"),
        ({"kind": "escpos", "path": "x", "encoding": "ascii"}, "not an encoding for Chinese"),
    ):
        with pytest.raises(PrinterConfigError, match=says):
            printer_from_config(wrong)
