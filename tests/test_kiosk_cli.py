"""`clerkdesk kiosk` and `clerkdesk demo --kiosk`: which hall, which sign-in, which printer;
what the kiosk says when its config or its password is missing."""

from __future__ import annotations

import io
from typing import Any

import pytest
import tomli_w

from clerkdesk import config, demo_link
from clerkdesk.cli import main
from clerkdesk.kiosk import KioskApp
from clerkdesk.printing.printers import Cups, ScreenOnly, TextFile
from clerkdesk.state.kiosk import ENV_PASSWORD, KioskConfigError, KioskSettings


@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch) -> list[KioskApp]:
    """Run the kiosk without a terminal: record what it would open."""
    seen: list[KioskApp] = []

    def run(app: KioskApp, *_args: Any, **_kwargs: Any) -> None:
        seen.append(app)

    monkeypatch.setattr(KioskApp, "run", run)
    return seen


def write_config(table: dict[str, Any]) -> None:
    path = config.config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(tomli_w.dumps(table), encoding="utf-8")


def test_the_kiosk_opens_on_the_server_with_its_staff_number_printer_and_password(
    opened: list[KioskApp], monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    secret = tmp_path / "kiosk-password"
    secret.write_text("s3cret\n", encoding="utf-8")
    write_config(
        {
            "kiosk": {
                "staff_no": "kiosk2",
                "password_file": str(secret),
                "status_url": "https://hall.example.gov.cn/",
                "idle_seconds": 45,
                "printer": {"kind": "lp", "name": "KIOSK2"},
            }
        }
    )
    assert main(["--server", "http://hall.example:8470", "kiosk", "--lang", "en"]) == 0
    (app,) = opened
    desk = app.kiosk.desk
    assert (desk.url, desk.staff_no, desk.password) == (
        "http://hall.example:8470",
        "kiosk2",
        "s3cret",
    )
    assert desk.status_link("/t/1-x") == "https://hall.example.gov.cn/t/1-x"
    assert app.kiosk.printer == Cups("KIOSK2")
    assert app.kiosk.idle.seconds == 45
    monkeypatch.setenv(ENV_PASSWORD, "from-env")
    assert main(["--server", "http://hall.example:8470", "kiosk", "--staff", "kiosk3"]) == 0
    assert (opened[1].kiosk.desk.staff_no, opened[1].kiosk.desk.password) == ("kiosk3", "from-env")


def test_a_printer_the_config_names_wrongly_stops_the_kiosk_with_the_reason(
    opened: list[KioskApp], capsys: pytest.CaptureFixture[str]
) -> None:
    write_config({"kiosk": {"printer": {"kind": "file"}}})
    assert main(["--server", "http://hall.example:8470", "kiosk"]) == 2
    assert 'kind = "file" needs path' in capsys.readouterr().err
    assert opened == []


def test_without_a_password_and_a_terminal_the_kiosk_says_where_to_put_it(
    opened: list[KioskApp], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv(ENV_PASSWORD, raising=False)
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    assert main(["--server", "http://hall.example:8470", "kiosk", "--lang", "en"]) == 2
    assert "CLERKDESK_KIOSK_PASSWORD" in capsys.readouterr().err
    assert opened == []


def test_the_kiosk_settings_are_checked() -> None:
    assert KioskSettings.from_table(None) == KioskSettings()
    for wrong in ({"idle_seconds": 1}, {"idle_seconds": "30"}, {"printer": "lp"}, []):
        with pytest.raises(KioskConfigError):
            KioskSettings.from_table(wrong)


def test_demo_kiosk_opens_on_the_demo_hall_running_in_another_terminal(
    opened: list[KioskApp], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["demo", "--kiosk", "--lang", "en"]) == 1
    assert "No demo hall is running on this computer" in capsys.readouterr().err
    demo_link.announce("http://127.0.0.1:8731")  # `clerkdesk demo` running (this process)
    try:
        assert main(["demo", "--kiosk", "--lang", "en"]) == 0
    finally:
        demo_link.withdraw()
    (app,) = opened
    desk = app.kiosk.desk
    assert (desk.url, desk.staff_no, desk.password) == ("http://127.0.0.1:8731", "kiosk1", "demo")
    assert isinstance(app.kiosk.printer, ScreenOnly)
    write_config({"kiosk": {"printer": {"kind": "file", "path": "/tmp/demo-tickets.txt"}}})
    assert main(["--server", "http://127.0.0.1:8732", "demo", "--kiosk"]) == 0
    assert opened[1].kiosk.desk.url == "http://127.0.0.1:8732"
    assert isinstance(opened[1].kiosk.printer, TextFile)


def test_a_running_demo_tells_where_it_answers_until_it_ends(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from clerkdesk.app import ClerkDeskApp

    during: list[demo_link.RunningDemo | None] = []

    def run(app: ClerkDeskApp, *_args: Any, **_kwargs: Any) -> None:
        during.append(demo_link.running())

    monkeypatch.setattr(ClerkDeskApp, "run", run)
    assert main(["demo", "--lang", "en", "--rate", "0", "--clock", "2026-12-11T09:00"]) == 0
    (found,) = during
    assert found is not None and found.url.startswith("http://127.0.0.1:")
    assert demo_link.running() is None
