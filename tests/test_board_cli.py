"""`clerkdesk board` and `clerkdesk demo --board` from the command line: which hall, which
sign-in, where the password comes from, and finding the demo hall running in another terminal.
The board app itself is not run here (no terminal): what it would open is recorded."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from clerkdesk import config, demo_link
from clerkdesk.board import HallBoardApp
from clerkdesk.cli import main
from clerkdesk.config import Settings, save_settings
from clerkdesk.i18n import set_language
from clerkdesk.voice import Silence
from tests.conftest import RunningHall


@pytest.fixture(autouse=True)
def _english_after() -> Iterator[None]:
    """The commands set the process's language: back to English for the tests after."""
    yield
    set_language("en")


@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch) -> list[HallBoardApp]:
    seen: list[HallBoardApp] = []

    def run(app: HallBoardApp, *_args: Any, **_kwargs: Any) -> None:
        seen.append(app)

    monkeypatch.setattr(HallBoardApp, "run", run)
    return seen


def test_the_board_signs_in_at_the_hall_given_with_the_password_from_the_environment(
    hall: RunningHall, opened: list[HallBoardApp], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CLERKDESK_BOARD_PASSWORD", "demo")
    assert main(["--lang", "en", "--server", hall.url, "board", "--voice", "off"]) == 0
    (app,) = opened
    assert (app.link.client.base_url, app.link.sign_in.staff_no) == (hall.url, "board1")
    assert app.link.client.token is not None  # signed in before the screen takes the terminal
    assert isinstance(app.board.voice, Silence) and app.board.langs == ()
    assert not list(config.config_dir().glob("**/*token*"))  # nothing kept on disk


def test_the_config_names_the_board_its_voice_and_its_password_file(
    hall: RunningHall, opened: list[HallBoardApp], tmp_path: Path
) -> None:
    secret = tmp_path / "board-password"
    secret.write_text("demo\n")
    save_settings(
        Settings(
            server=hall.url,
            extra={"board": {"staff_no": "board1", "voice": "zh+en", "password_file": str(secret)}},
        )
    )
    assert main(["--lang", "en", "board"]) == 0
    (app,) = opened
    assert (app.link.sign_in.staff_no, app.board.langs) == ("board1", ("zh", "en"))
    assert app.link.client.token is not None


def test_a_wrong_password_is_said_in_the_terminal_and_no_board_opens(
    hall: RunningHall,
    opened: list[HallBoardApp],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("CLERKDESK_BOARD_PASSWORD", "wrong")
    assert main(["--lang", "en", "--server", hall.url, "board"]) == 1
    assert "password" in capsys.readouterr().err.lower()
    assert opened == []


def test_without_a_hall_or_a_password_it_says_what_to_give(
    opened: list[HallBoardApp],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["--lang", "en", "board"]) == 2
    assert "--server URL" in capsys.readouterr().err
    monkeypatch.setattr(sys.stdin, "isatty", lambda: False)
    assert main(["--lang", "en", "--server", "http://127.0.0.1:9", "board"]) == 2
    assert "CLERKDESK_BOARD_PASSWORD" in capsys.readouterr().err
    assert opened == []


def test_demo_board_finds_the_demo_hall_running_in_another_terminal(
    hall: RunningHall, opened: list[HallBoardApp], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--lang", "en", "demo", "--board"]) == 1
    assert "start `clerkdesk demo`" in capsys.readouterr().err
    demo_link.announce(hall.url)  # what `clerkdesk demo` does once its hall answers
    try:
        assert main(["--lang", "zh", "demo", "--board", "--voice", "off"]) == 0
    finally:
        demo_link.withdraw()
    (app,) = opened
    assert (app.link.client.base_url, app.link.sign_in.staff_no) == (hall.url, "board1")
    assert not demo_link.demo_file().exists()


def test_a_demo_that_was_killed_is_not_found_and_a_later_demos_file_is_not_removed() -> None:
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    demo_link.announce("http://127.0.0.1:8720", pid=gone.pid)
    assert demo_link.running() is None
    demo_link.announce("http://127.0.0.1:8721")  # this process: alive
    found = demo_link.running()
    assert found is not None and found.url == "http://127.0.0.1:8721"
    demo_link.withdraw(pid=gone.pid)  # not its file any more
    assert demo_link.demo_file().exists()
    demo_link.withdraw()
    assert not demo_link.demo_file().exists()
