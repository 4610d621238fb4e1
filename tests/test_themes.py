"""Themes: the stylesheet works under each of the three themes, the command palette switches
them, and the choice is kept in the config file."""

from __future__ import annotations

import pytest
from textual.app import App, ComposeResult
from textual.color import Color
from textual.containers import Vertical
from textual.widgets import Button, DataTable, Digits, Footer, Input, Static

from clerkdesk.config import Settings, config_path, load_settings, save_settings
from clerkdesk.themes import (
    DEFAULT_THEME,
    STYLESHEET,
    THEMES,
    pick_theme,
    register_themes,
    save_theme_choice,
)

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
