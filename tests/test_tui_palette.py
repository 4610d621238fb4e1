"""The command palette and its keys panel: one order in every language, the picker's commands,
Esc closes the keys panel and the footer stays whole; and the small dialogs' wording."""

from __future__ import annotations

from typing import Any

import pytest
from textual.app import App
from textual.command import CommandList
from textual.widgets import Label

from clerkdesk.demo import demo_sign_ins
from clerkdesk.i18n import _, set_language
from clerkdesk.screens.dialogs import ReasonDialog
from clerkdesk.screens.start.sign_in import SignInScreen
from clerkdesk.screens.start.window_picker import WindowPickerScreen
from clerkdesk.widgets.textual_compat import screen_lines
from tests.conftest import RunningHall
from tests.tui_support import app_for, at_counter, wait_for


def _lines(app: Any) -> list[str]:
    return screen_lines(app.screen)


async def _palette_titles(pilot: Any) -> list[str]:
    """Open the palette and read the titles it lists, top to bottom."""
    app = pilot.app
    await pilot.press("ctrl+p")
    await wait_for(pilot, lambda: app.screen.query(CommandList))
    commands = app.screen.query_one(CommandList)
    await wait_for(pilot, lambda: commands.option_count >= 4)
    await pilot.pause(0.3)  # every provider has answered
    titles = [str(commands.get_option_at_index(i).hit.text) for i in range(commands.option_count)]
    await pilot.press("escape")
    return titles


async def test_the_counters_palette_lists_its_commands_in_one_order_in_both_languages(
    hall: RunningHall,
) -> None:
    """王芳's palette listed Keys, Quit, Theme in English and another order in Chinese; now the
    counter's actions come first, then the app's, in the same order of meaning."""
    english_order = [
        "Call next  (F2 n)",
        "Call ticket  (F8 t)",
        "Reinstate  (⇧F6 u)",
        "Pause  (F9 b)",
        "Leave  (F12 l)",
        "My leave  (v)",
        "Keys",
        "Theme",
        "Quit",
    ]
    async with app_for(hall).run_test(size=(80, 24)) as pilot:
        await at_counter(pilot)
        assert await _palette_titles(pilot) == english_order
    set_language("zh")
    try:
        chinese_order = [
            _(title.split("  (")[0]) + title[len(title.split("  (")[0]) :]
            for title in english_order
        ]
        async with app_for(hall).run_test(size=(80, 24)) as pilot:
            await at_counter(pilot)
            assert await _palette_titles(pilot) == chinese_order
    finally:
        set_language("en")


async def test_the_window_pickers_reload_and_sign_out_are_in_the_palette(
    hall: RunningHall,
) -> None:
    app = app_for(hall, staff_no=None)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press(*"1001", "enter", *"demo", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, WindowPickerScreen))
        titles = await _palette_titles(pilot)
        assert titles[:3] == ["Take window  (Enter)", "Reload  (F5 r)", "Sign out  (Ctrl+O)"]
        await pilot.press("ctrl+p")
        await wait_for(pilot, lambda: app.screen.query(CommandList))
        await pilot.press(*"sign out")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, SignInScreen))


async def test_the_keys_panel_closes_with_esc_and_leaves_the_footer_whole(
    hall: RunningHall,
) -> None:
    """王芳 opens Keys from the palette: the footer read "F9 b P▏^p paletteL▏" under it, Esc
    did nothing, and the panel said "Page up" beside "Page Left"."""
    app = app_for(hall)
    async with app.run_test(size=(80, 24)) as pilot:
        await at_counter(pilot)
        await wait_for(pilot, lambda: "F12 l Leave" in _lines(app)[-1])
        footer = _lines(app)[-1]
        await pilot.press("ctrl+p")
        await wait_for(pilot, lambda: app.screen.query(CommandList))
        await pilot.press(*"keys")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.screen.query("HelpPanel"))
        await wait_for(pilot, lambda: _lines(app)[-1] == footer)  # the whole width, as before
        shown = "\n".join(_lines(app))
        assert "Page up" in shown and "Page left" in shown and "Page Left" not in shown
        await pilot.press("escape")
        await wait_for(pilot, lambda: not app.screen.query("HelpPanel"))
        await pilot.press("escape")  # no panel: Esc means nothing here, and nothing breaks
        assert not app.screen.query("HelpPanel")


class _ReasonHost(App[None]):
    def __init__(self, required: bool) -> None:
        super().__init__()
        self._required = required

    def on_mount(self) -> None:
        self.push_screen(
            ReasonDialog("Confirm window 8's 35 min past the end?", "", self._required)
        )


@pytest.mark.parametrize(("required", "label"), [(False, "Note (optional)"), (True, "Reason")])
async def test_the_reason_dialog_names_its_field_as_the_question_asks(
    required: bool, label: str
) -> None:
    """张伟 confirms an overrun: "A note is optional" stood above a field labelled "Reason"."""
    app = _ReasonHost(required)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, ReasonDialog))
        assert str(app.screen.query_one(Label).render()) == label


def test_the_served_demo_lists_departments_by_name() -> None:
    """`clerkdesk demo --serve-only` printed "budongchan" where a person reads 不动产登记."""
    lines = demo_sign_ins()
    assert lines[0].split() == ["1001", "李华", "clerk", "不动产登记"]
    assert not any("budongchan" in line or "zonghe" in line for line in lines)
