"""Chinese lines break the Chinese way: no line starts with a closing mark (。，：）…), none ends
with an opening one, and a number stays with its unit, at 80 and 120 columns and in between."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from babel.messages.pofile import read_po
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.cells import cell_len
from textual.content import Content
from textual.widgets import DataTable

from clerkdesk.i18n import set_language
from clerkdesk.screens.dialogs import ConfirmDialog
from clerkdesk.widgets.line_breaks import CLOSING, OPENING, use_cjk_line_breaks, wrap
from clerkdesk.widgets.textual_compat import screen_lines
from tests.conftest import RunningHall
from tests.tui_support import app_for, at_counter, wait_for

ZH_PO = Path(__file__).parent.parent / "clerkdesk/locale/zh_CN/LC_MESSAGES/clerkdesk.po"
PLACEHOLDER = re.compile(r"\{[a-z_]*(?:![rs])?(?::[^}]*)?\}")
VALUES = ["17:10", "15", "李华", "欧阳娜娜", "A023", "E001, F001…", "2026-12-11", "Zhao Min"]


def _zh_messages() -> list[str]:
    with ZH_PO.open("rb") as handle:
        catalog = read_po(handle)
    found: list[str] = []
    for message in catalog:
        texts = message.string if isinstance(message.string, tuple) else (message.string,)
        found += [text for text in texts if text and re.search(r"[\u4e00-\u9fff]", text)]
    return found


ZH_MESSAGES = _zh_messages()


def _badly_broken(lines: list[str]) -> list[str]:
    """The lines that start with a closing mark or end with an opening one."""
    bad = [line for line in lines[1:] if line[:1] in CLOSING]
    return bad + [line for line in lines[:-1] if line[-1:] in OPENING]


@settings(max_examples=400, deadline=None)
@given(
    template=st.sampled_from(ZH_MESSAGES),
    values=st.lists(st.sampled_from(VALUES), min_size=8, max_size=8),
    width=st.integers(min_value=6, max_value=120),
)
def test_no_chinese_line_of_the_catalog_starts_with_a_closing_mark(
    template: str, values: list[str], width: int
) -> None:
    """Every zh string of the catalog, with any values in its blanks, wrapped at any width:
    no line starts with a closing mark or ends with an opening one; every line fits; nothing
    is lost."""
    filled = iter(values * 4)
    text = PLACEHOLDER.sub(lambda _m: next(filled), template)
    lines = wrap(text, width)
    assert not _badly_broken(lines), lines
    assert all(cell_len(line) <= width for line in lines), lines
    assert "".join(lines).replace(" ", "") == text.replace("\n", "").replace(" ", "")


@pytest.mark.parametrize(
    ("text", "width", "expected"),
    [
        ("登录已失效：请重新登录。", 22, ["登录已失效：请重新登", "录。"]),
        (
            "本机没有系统密钥环：重启后需重新登录。",
            36,
            ["本机没有系统密钥环：重启后需重新登", "录。"],
        ),
        ("密码错误次数过多：请 15 分钟后重试。", 24, ["密码错误次数过多：", "请 15 分钟后重试。"]),
        ("8 号窗口由李华自 17:10 起使用。", 20, ["8 号窗口由李华", "自 17:10 起使用。"]),
        (
            "Window 5 is held by Li Hua since 08:58.",
            20,
            ["Window 5 is held by", "Li Hua since 08:58."],
        ),
    ],
)
def test_textual_content_wraps_by_these_rules(text: str, width: int, expected: list[str]) -> None:
    """What every Static, dialog and notification uses (Textual's Content) once the app runs:
    "。" stays with "录", "15" with "请" and "分钟", "17:10" with "自" and "起"; English wraps
    as before."""
    use_cjk_line_breaks()
    lines = [line.plain.rstrip() for line in Content(text).wrap(width)]
    assert lines == expected


def test_the_adapter_names_the_versions_it_was_checked_with() -> None:
    """`use_cjk_line_breaks` replaces a module attribute of Rich and Textual (not a public API):
    checked with Rich 15 and Textual 8; a new major version needs this test looked at."""
    import rich.text
    import textual.content

    from clerkdesk.widgets import line_breaks

    assert rich.__name__ == "rich" and textual.__version__.split(".")[0] == "8"
    use_cjk_line_breaks()
    assert rich.text.divide_line is line_breaks.divide_line  # type: ignore[attr-defined]
    assert textual.content.divide_line is line_breaks.divide_line  # type: ignore[attr-defined]


def _screen_lines(app: Any) -> list[str]:
    return screen_lines(app.screen)


def _starts_with_closing(lines: list[str]) -> list[str]:
    """Screen lines whose text (after borders and padding) starts with a closing mark."""
    found = []
    for line in lines:
        for part in re.split(r"[\u2500-\u259f]", line):
            text = part.strip()
            if text and text[0] in CLOSING and text[0] not in "—·":  # "—" marks an empty cell
                found.append(line)
    return found


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_the_take_over_question_breaks_before_no_mark(
    hall: RunningHall, size: tuple[int, int]
) -> None:
    """刘洋 asks to take over 王芳's window 8: the question read "…自 17:10" / "起使用。"."""
    set_language("zh")
    try:
        app = app_for(hall)  # 王芳 at window 8
        async with app.run_test(size=size) as pilot:
            await at_counter(pilot)
        other = app_for(hall, staff_no="1004", window=9)
        async with other.run_test(size=size) as pilot:
            await at_counter(pilot)
            await pilot.press("l")
            await wait_for(pilot, lambda: "王芳" in "".join(_screen_lines(other)))
            table = other.screen.query_one(DataTable)
            rows = [str(table.get_row_at(i)[0]) for i in range(table.row_count)]
            table.move_cursor(row=rows.index("8"))
            await pilot.press("enter")  # window 8, held by 王芳
            await wait_for(pilot, lambda: isinstance(other.screen, ConfirmDialog))
            await pilot.pause(0.2)
            shown = _screen_lines(other)
            assert "确定接管吗" in "".join(shown)
            assert not _starts_with_closing(shown), shown
            assert any("自 09:00 起使用" in line for line in shown), shown  # one phrase
    finally:
        set_language("en")
