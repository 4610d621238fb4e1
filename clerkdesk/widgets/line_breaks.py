"""Where a line of Chinese (or mixed) text may break on screen, the Chinese way.

Rich, and Textual through it, breaks lines at spaces only; a run of Chinese characters is one
"word", cut wherever the width ends. So "…重新登录" ended a line and "。" began the next, and a
number was parted from its unit ("请 15" / "分钟后重试"). Here a line may break:
- after a space between two words of a spaced script (English), as before;
- between two characters when either is a wide (CJK) one;
but never before a closing punctuation mark (。，、：；？！）」…), never after an opening one
(（「《…), and never at a space that only sets a CJK character apart from a number or a Latin
word ("请 15 分钟", "自 17:10 起"). A run with no break left is cut at the width, still not
before a closing mark when the line has room to give one character back.

`divide_line` keeps the contract of `rich._wrap.divide_line` (offsets at which to cut; spaces
stay at the end of the line they follow). `use_cjk_line_breaks` puts it where Rich's `Text` and
Textual's `Content` look it up: a module attribute, not a public API (Rich 15, Textual 8), so
the adapter clerkdesk/widgets/textual_compat.py does it (see tests/test_tui_line_breaks.py).
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache
from itertools import pairwise

from rich.cells import get_character_cell_size

from clerkdesk.widgets.textual_compat import use_line_breaker

CLOSING = frozenset(
    "。．，、：；？！）」』】》〉〕〗〙〛｝］”’…‥・·〜～％‰℃—"  # Chinese (full-width) marks
    ",.;:!?)]}%"  # and their ASCII counterparts
)
OPENING = frozenset("（「『【《〈〔〖〘〚｛［“‘([{")


@lru_cache(maxsize=4096)
def _wide(char: str) -> bool:
    return unicodedata.east_asian_width(char) in ("W", "F")


def _opportunities(text: str) -> list[bool]:
    """`ok[i]`: a line may start at `text[i]` (0 < i < len(text))."""
    n = len(text)
    ok = [False] * (n + 1)
    i = 1
    while i < n:
        cur, prev = text[i], text[i - 1]
        if cur.isspace():
            i += 1
            continue
        if prev.isspace():
            j = i - 1
            while j > 0 and text[j - 1].isspace():
                j -= 1
            before = text[j - 1] if j > 0 else ""
            glue = bool(before) and _wide(before) != _wide(cur)  # "请 15 分钟", "自 17:10 起"
            ok[i] = bool(before) and not glue and cur not in CLOSING and before not in OPENING
        else:
            ok[i] = (_wide(prev) or _wide(cur)) and cur not in CLOSING and prev not in OPENING
        i += 1
    return ok


def divide_line(text: str, width: int, fold: bool = True) -> list[int]:
    """The offsets at which `text` is cut into lines of at most `width` cells (trailing spaces
    not counted), by the rules above. `fold=False`: a run longer than a line is left whole (the
    caller crops it)."""
    ok = _opportunities(text)
    n = len(text)
    breaks: list[int] = []
    start, pos, used, last_ok = 0, 0, 0, 0
    while pos < n:
        char = text[pos]
        if pos > start and ok[pos]:
            if not fold and used > width and last_ok <= start:
                breaks.append(pos)  # an over-long run ends here: the next line starts
                start, used, last_ok = pos, 0, 0
                continue
            last_ok = pos
        cells = get_character_cell_size(char)
        if char.isspace() or used + cells <= width or pos == start:
            used += cells
            pos += 1
            continue
        if last_ok > start:  # the line is full: cut at the last place allowed
            cut = last_ok
        elif not fold:
            used += cells
            pos += 1
            continue
        else:  # nowhere allowed: cut at the width, not before a closing mark if it can be helped
            cut = pos
            while text[cut] in CLOSING and cut - 1 > start:
                cut -= 1
        breaks.append(cut)
        start, pos, used, last_ok = cut, cut, 0, 0
    return breaks


def wrap(text: str, width: int) -> list[str]:
    """`text` cut into lines as the screen shows them (trailing spaces removed)."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        cuts = [0, *divide_line(paragraph, width), len(paragraph)]
        lines += [paragraph[a:b].rstrip() for a, b in pairwise(cuts)]
    return lines


def use_cjk_line_breaks() -> None:
    """Make Rich's `Text` and Textual's `Content` wrap with `divide_line`. Idempotent."""
    use_line_breaker(divide_line)
