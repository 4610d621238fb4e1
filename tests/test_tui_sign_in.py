"""Signing in at the workstation: password, window picker, take-over, resuming from the token."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from keyring.backends.null import Keyring as NullKeyring
from textual import events

from clerkdesk.api.client import HallClient
from clerkdesk.config import Settings
from clerkdesk.credentials import TokenStore
from clerkdesk.i18n import set_language
from clerkdesk.screens.dialogs import ConfirmDialog
from clerkdesk.screens.start.sign_in import SignInScreen
from clerkdesk.screens.start.window_picker import WindowPickerScreen
from tests.conftest import RunningHall, signed_in
from tests.keyring_memory import MemoryKeyring
from tests.tui_support import FIXED_LABEL, app_for, at_counter, screen_text, wait_for, workstation


async def test_li_hua_signs_in_and_picks_window_1_of_her_department(hall: RunningHall) -> None:
    app = app_for(hall, staff_no=None)
    async with app.run_test(size=(100, 30)) as pilot:
        assert isinstance(app.screen, SignInScreen)
        await pilot.press(*"1001", "enter", *"demo", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, WindowPickerScreen))
        await wait_for(pilot, lambda: "不动产登记 2号窗口" in screen_text(app))
        text = screen_text(app)
        assert "不动产登记 1号窗口" in text
        assert "综合受理" not in text  # another department's windows are not offered
        await pilot.press("enter")
        screen = await at_counter(pilot)
        assert screen.model.window_number == 1 and screen.model.held_by_me


@pytest.mark.parametrize("between", ["enter", "tab"])
async def test_a_burst_of_keys_puts_the_password_in_the_password_field(
    hall: RunningHall, between: str
) -> None:
    """李华 types her number and password in one go (or a badge scanner sends them, with Enter
    or Tab between): every key reaches the app before the screen has handled the first."""
    app = app_for(hall, staff_no=None)
    async with app.run_test(size=(100, 30)) as pilot:
        assert isinstance(app.screen, SignInScreen)
        for key in [*"1001", between, *"demo", "enter"]:
            app.post_message(events.Key(key, key if len(key) == 1 else None))
        await wait_for(pilot, lambda: isinstance(app.screen, WindowPickerScreen))
        assert app.ws.me is not None and app.ws.me.staff.name == "李华"


async def test_a_wrong_password_says_what_to_do(hall: RunningHall) -> None:
    app = app_for(hall, staff_no=None)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press(*"1001", "enter", *"wrong", "enter")
        await wait_for(pilot, lambda: "password is wrong" in screen_text(app))
        assert isinstance(app.screen, SignInScreen)


async def test_taking_over_a_held_window_asks_first_naming_the_holder(
    hall: RunningHall, wang_fang: HallClient
) -> None:
    app = app_for(hall, staff_no=None)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press(*"1004", "enter", *"demo", "enter")  # 刘洋, also 综合受理
        await wait_for(pilot, lambda: "王芳" in screen_text(app))
        await pilot.press("enter")  # window 8, held by 王芳
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        assert "Window 8 is held by 王芳 since 09:00" in screen_text(app)
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, WindowPickerScreen))
        await pilot.press("enter", "y")
        screen = await at_counter(pilot)
        assert screen.model.window_number == 8 and screen.model.holder_name == "刘洋"
    windows = {w.number: w for w in await wang_fang.windows()}
    assert windows[8].holder is not None and windows[8].holder.took_over_from == "1002"


async def test_the_picker_follows_who_signs_in_and_leaves_without_a_reload(
    hall: RunningHall,
) -> None:
    app = app_for(hall, staff_no=None)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press(*"1004", "enter", *"demo", "enter")  # 刘洋, 综合受理
        await wait_for(pilot, lambda: isinstance(app.screen, WindowPickerScreen))
        await wait_for(pilot, lambda: "综合受理 8号窗口" in screen_text(app))
        assert "王芳" not in screen_text(app)

        hall.clock.advance(minutes=7)
        wang = await signed_in(hall, "1002")
        await wang.sign_in(8)  # 王芳 arrives at window 8 at 09:07
        await wait_for(pilot, lambda: "王芳" in screen_text(app))
        assert "09:07" in screen_text(app)
        await wang.sign_out(8)
        await wait_for(pilot, lambda: "王芳" not in screen_text(app))
        await wang.aclose()


async def test_the_next_start_resumes_from_the_stored_token_without_a_password(
    hall: RunningHall,
) -> None:
    tokens = TokenStore(backend=MemoryKeyring(), clock=hall.clock)
    first = app_for(hall, ws=workstation(hall, tokens=tokens))
    async with first.run_test(size=(100, 30)) as pilot:
        await at_counter(pilot)
    again = app_for(
        hall, staff_no=None, ws=workstation(hall, tokens=tokens), settings=Settings(staff_no="1002")
    )
    async with again.run_test(size=(100, 30)) as pilot:
        screen = await at_counter(pilot)  # still at window 8 from the first start
        assert screen.model.window_number == 8
    hall.clock.advance(hours=16)  # the token ended at midnight: the password is needed again
    late = app_for(
        hall, staff_no=None, ws=workstation(hall, tokens=tokens), settings=Settings(staff_no="1002")
    )
    async with late.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: "Type your password" in screen_text(late))


async def test_without_a_keyring_the_screen_says_once_that_the_token_stays_in_memory(
    hall: RunningHall,
) -> None:
    tokens = TokenStore(backend=NullKeyring(), clock=hall.clock)
    assert not tokens.secure
    app = app_for(hall, ws=workstation(hall, tokens=tokens))
    shown: list[str] = []

    def notify(message: str, **_kwargs: Any) -> None:
        shown.append(message)

    app.notify = notify  # type: ignore[method-assign]
    async with app.run_test(size=(100, 30)) as pilot:
        await at_counter(pilot)
        await pilot.press("l")
        await wait_for(pilot, lambda: isinstance(app.screen, WindowPickerScreen))
        await pilot.press("enter")
        await at_counter(pilot)
    assert shown == ["No system keyring here: you will sign in again after a restart."]


class RefusesSignIns(httpx.AsyncBaseTransport):
    """Answers POST /auth/login as the hall does after wrong passwords: first with the tries
    left (`bad_credentials`), then with the wait before the next try (`sign_in_delayed`), then
    as the hall does while the wait lasts (`too_many_tries`)."""

    def __init__(self, answers: list[tuple[int, str, dict[str, Any]]]) -> None:
        self._inner = httpx.AsyncHTTPTransport()
        self._answers = answers

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.method == "POST" and request.url.path.endswith("/auth/login"):
            status, code, params = self._answers.pop(0)
            body = {"error": {"code": code, "message": "…", "params": params}}
            return httpx.Response(status, json=body, request=request)
        return await self._inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self._inner.aclose()


async def test_wrong_passwords_say_how_many_tries_are_left_and_how_long_to_wait(
    hall: RunningHall,
) -> None:
    """李华 mistypes her password: the sign-in says she may try twice more; then that she must
    wait 15 minutes, written as a duration on one line ("请 15 分钟后", never "请 15" / "分钟")."""
    refusals = RefusesSignIns(
        [
            (401, "bad_credentials", {"tries_left": 2}),
            (429, "sign_in_delayed", {"retry_after_s": 900}),
            (429, "too_many_tries", {"retry_after_s": 900, "retry_after_min": 15, "tries_left": 0}),
        ]
    )
    set_language("zh")
    try:
        app = app_for(hall, staff_no=None, ws=workstation(hall, transport=refusals))
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press(*"1001", "enter", *"dmeo", "enter")
            await wait_for(pilot, lambda: "还可尝试 2 次" in screen_text(app))
            await pilot.press(*"deom", "enter")
            await wait_for(pilot, lambda: "请等待 15 分钟后再试" in screen_text(app))
            await pilot.press(*"demo", "enter")
            await wait_for(pilot, lambda: "请 15 分钟后重试" in screen_text(app))
    finally:
        set_language("en")


async def test_keys_typed_while_the_workstation_starts_sign_in(
    hall: RunningHall, monkeypatch: pytest.MonkeyPatch
) -> None:
    """王芳 types 1002, Enter, demo, Enter as the workstation starts, without waiting for the
    screen: the keys reach the app as the sign-in screen mounts, and each Enter comes as a line
    feed (Ctrl+J: the terminal was not in raw mode yet). The hall service's address stays."""
    mount = SignInScreen.on_mount

    def typed_at_once(screen: SignInScreen) -> None:
        mount(screen)
        for key in [*"1002", "ctrl+j", *"demo", "ctrl+j"]:
            screen.app.post_message(events.Key(key, key if len(key) == 1 else None))

    monkeypatch.setattr(SignInScreen, "on_mount", typed_at_once)
    app = app_for(hall, staff_no=None)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, WindowPickerScreen))
        assert app.ws.me is not None and app.ws.me.staff.name == "王芳"
        assert app.ws.server.label == FIXED_LABEL  # the address was not typed over
