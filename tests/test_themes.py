"""Themes: the stylesheet works under each of the three themes, the command palette switches
them, and the choice is kept in the config file."""

from __future__ import annotations

import pytest
from textual.app import App, ComposeResult
from textual.color import Color
from textual.containers import Vertical
from textual.widgets import Button, DataTable, Digits, Footer, Input, Static

from clerkdesk.app import ClerkDeskApp
from clerkdesk.clock import SystemClock
from clerkdesk.config import Settings, config_path, load_settings, save_settings
from clerkdesk.credentials import TokenStore
from clerkdesk.screens.start.sign_in import SignInScreen
from clerkdesk.state.session import Server, Workstation
from clerkdesk.theming import (
    DEFAULT_THEME,
    STYLESHEET,
    THEMES,
    pick_theme,
    register_themes,
    save_theme_choice,
)
from tests.keyring_memory import MemoryKeyring
from tests.tui_support import wait_for

NAMES = ["clerkdesk-light", "clerkdesk-dark", "clerkdesk-contrast"]


class CounterLookalike(App[None]):
    """Every id and class the stylesheet offers the counter screen, on one screen."""

    CSS_PATH = STYLESHEET

    def __init__(self, theme: str) -> None:
        super().__init__()
        register_themes(self)
        self.theme = pick_theme(self, theme)  # runs watch_theme already

    def compose(self) -> ComposeResult:
        yield Static("服务器连接中断：5 秒后重试", id="offline-banner")
        yield Static("距下班 25 分钟：还有 3 人在等", id="closing-banner")
        with Vertical(id="current-ticket"):
            yield Static("A023", classes="ticket-number")
            yield Digits("A023", classes="ticket-number")
            yield Static("不动产登记 · 已等 12 分钟 · 重呼 1 次", classes="ticket-meta")
        table: DataTable[str] = DataTable(id="queue")
        table.add_columns("号码", "事项", "已等")
        table.add_row("A024", "不动产登记", "9 分钟")
        yield table
        yield Static("今日：办结 14 · 过号 1 · 平均 6 分钟", id="my-counts")
        with Vertical(classes="panel"):
            yield Static("窗口 1", classes="title")
            yield Static("暂停中", classes="muted")
            yield Static("太快了：3 秒后再叫号", classes="refusal")
            yield Static("17:05", classes="countdown")
            yield Input(placeholder="工号")
            yield Button("登录")
        yield Static("窗口 1 · 李华 · 在线 · 09:00", id="status-line")
        yield Footer()

    def watch_theme(self, name: str) -> None:
        save_theme_choice(name)


def test_the_three_themes_are_registered() -> None:
    assert list(THEMES) == NAMES
    assert all(THEMES[name].name == name for name in NAMES)
    app = CounterLookalike(DEFAULT_THEME)
    assert set(NAMES) <= set(app.available_themes)
    assert STYLESHEET.is_file() and STYLESHEET.parent.name == "themes"


@pytest.mark.parametrize("name", [*NAMES, "textual-dark"])
async def test_the_counter_styles_load_under_each_theme(name: str) -> None:
    app = CounterLookalike(name)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert app.theme == name
        variables = app.theme_variables
        offline = app.query_one("#offline-banner").styles.background
        closing = app.query_one("#closing-banner").styles.background
        assert offline == Color.parse(variables["error"])
        assert closing == Color.parse(variables["warning"])
        queue_border = app.query_one("#queue").styles.border_top[0]
        assert queue_border == ("heavy" if name == "clerkdesk-contrast" else "round")


async def test_high_contrast_is_black_white_and_yellow() -> None:
    app = CounterLookalike("clerkdesk-contrast")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        palette = {Color.parse(c) for c in ("#000000", "#FFFFFF", "#FFFF00")}
        for selector in ("#offline-banner", "#closing-banner", ".ticket-number", "#status-line"):
            widget = app.query(selector).first()
            assert widget.styles.background in palette, selector
            assert widget.styles.color in palette, selector


async def test_switching_theme_from_the_command_palette() -> None:
    app = CounterLookalike("clerkdesk-light")
    assert load_settings().theme == "clerkdesk-light"
    async with app.run_test(size=(100, 30)) as pilot:
        app.action_change_theme()  # what the palette's "Theme" command runs
        await pilot.pause()
        await pilot.press(*"contrast")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert app.theme == "clerkdesk-contrast"
    assert load_settings().theme == "clerkdesk-contrast"
    assert CounterLookalike(load_settings().theme).theme == "clerkdesk-contrast"  # next start


def test_the_choice_round_trips_through_the_config_file() -> None:
    save_settings(Settings(server="http://hall.example:8000", staff_no="1001"))
    assert save_theme_choice("clerkdesk-contrast") is True
    assert save_theme_choice("clerkdesk-contrast") is False  # unchanged: no write
    settings = load_settings()
    assert settings.theme == "clerkdesk-contrast"
    assert (settings.server, settings.staff_no) == ("http://hall.example:8000", "1001")
    assert config_path().is_file()


def test_a_stale_saved_theme_falls_back_to_the_default() -> None:
    app = CounterLookalike("no-such-theme")
    assert app.theme == DEFAULT_THEME
    assert pick_theme(app, None) == DEFAULT_THEME
    assert pick_theme(app, "clerkdesk-dark") == "clerkdesk-dark"


# --- a theme of the clerk's own, in the config dir's themes/ --------------------------------

HALL_GREEN = """\
# 市民中心's colours
name = "hall-green"
primary = "#1B7F3B"
accent = "#C62828"
background = "#F3F7F2"
dark = false

[variables]
footer-key-foreground = "#1B7F3B"
"""


def user_theme(name: str, text: str) -> None:
    folder = config_path().parent / "themes"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")


async def test_a_theme_file_in_the_config_dir_is_offered_and_applied() -> None:
    user_theme("hall-green.toml", HALL_GREEN)
    save_settings(Settings(theme="hall-green"))
    app = CounterLookalike(load_settings().theme)
    assert "hall-green" in app.available_themes
    assert app.theme == "hall-green"  # the saved choice, at the next start
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert app.theme_variables["primary"] == Color.parse("#1B7F3B").hex
        assert app.query_one("#offline-banner").styles.background == Color.parse(
            app.theme_variables["error"]
        )


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ('name = "broken"\nprimary = "#1B7F3B\n', "not readable TOML"),
        ('name = "broken"\nprimary = "greenish"\n', "primary = “greenish” is not a colour"),
        ('primary = "#1B7F3B"\n', "needs a name"),
        ('name = "broken"\nprimary = "#1B7F3B"\nshade = 3\n', "unknown fields shade"),
        ('name = "clerkdesk-dark"\nprimary = "#1B7F3B"\n', "clerkdesk-dark is a shipped theme"),
    ],
)
async def test_a_broken_theme_file_is_named_and_the_workstation_still_starts(
    text: str, why: str
) -> None:
    user_theme("broken.toml", text)
    user_theme("hall-green.toml", HALL_GREEN)
    clock = SystemClock()
    tokens = TokenStore(backend=MemoryKeyring(), clock=clock)
    ws = Workstation(Server.remote("http://hall.example:8470"), clock=clock, tokens=tokens)
    app = ClerkDeskApp(ws, settings=Settings(), remember=False)
    told: list[str] = []
    app.notify = lambda message, **kw: told.append(str(message))  # type: ignore[method-assign]
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, SignInScreen))
        assert "hall-green" in app.available_themes  # the good file still loads
        assert "broken" not in app.available_themes
    [problem] = told
    assert "broken.toml is not used" in problem and why in problem, problem
