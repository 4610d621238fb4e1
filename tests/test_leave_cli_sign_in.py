"""`clerkdesk leave` on a computer that keeps no sign-in (a terminal with no credential store, or
a colleague's PC): 王芳 types her password, sees her leave, and no sign-in is left behind; piped
with nobody to type, the command says what to do instead of asking."""

from __future__ import annotations

import asyncio
import io
import json

import pytest

from clerkdesk import cli
from clerkdesk.api.client import HallClient
from clerkdesk.api.errors import Unauthorized
from clerkdesk.config import Settings, save_settings
from tests.conftest import RunningHall


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def typed(monkeypatch: pytest.MonkeyPatch, staff_no: str, password: str) -> list[str]:
    """Wang Fang at a terminal: what she types, and the prompts she was shown."""
    prompts: list[str] = []

    def ask(prompt: str = "") -> str:
        prompts.append(prompt)
        return staff_no

    def ask_secret(prompt: str = "") -> str:
        prompts.append(prompt)
        return password

    monkeypatch.setattr("sys.stdin", Terminal())
    monkeypatch.setattr("builtins.input", ask)
    monkeypatch.setattr("getpass.getpass", ask_secret)
    return prompts


def test_wang_fang_types_her_password_sees_her_leave_and_leaves_no_sign_in_behind(
    hall: RunningHall, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    save_settings(Settings(server=hall.url))  # nobody has signed in here
    prompts = typed(monkeypatch, "1002", "demo")
    tokens: list[str] = []
    login = HallClient.login

    async def remembered(self: HallClient, staff_no: str, password: str) -> object:
        answer = await login(self, staff_no, password)
        tokens.append(answer.token)
        return answer

    monkeypatch.setattr(HallClient, "login", remembered)

    assert cli.main(["--lang", "en", "leave", "--json"]) == 0

    shown = json.loads(capsys.readouterr().out)
    assert shown["staff"]["staff_no"] == "1002" and shown["balance_minutes"] == 0
    assert prompts == ["Staff number: ", "Password of 1002: "]

    async def still_signed_in() -> None:
        async with HallClient(hall.url, tokens[0]) as client:
            await client.me()

    with pytest.raises(Unauthorized):  # the command signed out when it was done
        asyncio.run(still_signed_in())


def test_a_wrong_password_says_so_and_how_many_tries_are_left(
    hall: RunningHall, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    save_settings(Settings(server=hall.url, staff_no="1002"))
    prompts = typed(monkeypatch, "unused", "wrong")

    assert cli.main(["--lang", "en", "leave"]) == 1

    assert prompts == ["Password of 1002: "]  # the staff number of the last sign-in here
    said = capsys.readouterr().err
    assert "wrong" in said and "tries left" in said


def test_with_nobody_at_a_terminal_it_says_how_to_sign_in_instead_of_asking(
    hall: RunningHall, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    save_settings(Settings(server=hall.url, staff_no="1002"))
    monkeypatch.setattr("sys.stdin", io.StringIO(""))  # piped: no terminal

    assert cli.main(["--lang", "en", "leave", "--staff", "1002"]) == 2

    said = capsys.readouterr().err
    assert "sign in at the workstation first" in said and "in a terminal" in said
