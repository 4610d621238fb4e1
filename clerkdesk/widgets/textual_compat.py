"""The few places ClerkDesk leans on Textual's private internals, kept in one module.

Each has no public counterpart in Textual 8 (checked against 8.2):
- a node's bindings, replaced once it is made so that their descriptions are in the
  workstation's language (`BINDINGS` is read when the class is made, before a language is set);
- the watchers Textual keeps for a reactive under the attribute name "__watchers", which
  forgets those of removed widgets only when the reactive changes (Textualize/textual#6666);
- DataTable's `_render_cell` and the state that decides a cell's look, for the queue's cache
  of drawn cells;
- whether a DataTable has sized its columns yet (for tests that wait for a still screen);
- where Rich's `Text` and Textual's `Content` look up the function that breaks lines (a module
  attribute `divide_line`), for the Chinese line breaks (clerkdesk/widgets/line_breaks.py);
- the lines a screen's compositor draws (for tests that read the screen as the clerk sees it);
- the chain of bindings a key is looked up in, and running a key's bindings, as the app does
  when a key comes in (for keys typed ahead, applied in order once the screen is ready, and
  for a word on a key that does nothing: clerkdesk/screens/type_ahead.py).

`incompatibilities()` says which of them a given Textual no longer has;
tests/test_textual_compat.py fails with its message. pyproject pins `textual<9`.
"""

from __future__ import annotations

import dataclasses
import inspect
from collections.abc import Callable, Iterable
from typing import Any

from rich.segment import Segment
from rich.style import Style
from textual.binding import Binding, BindingsMap, BindingType
from textual.coordinate import Coordinate
from textual.dom import DOMNode
from textual.widgets import DataTable

TESTED_MAJOR = 8
WATCHERS = "__watchers"  # where textual.reactive keeps a reactable's watchers


def replace_bindings(node: DOMNode, bindings: Iterable[BindingType]) -> None:
    """Give `node` these bindings instead of its class's (call in `__init__`)."""
    node._bindings = BindingsMap(bindings)


def translate_bindings(node: DOMNode, translate: Callable[[str], str | None]) -> None:
    """Each binding description `translate` knows (not None) replaced by its translation."""
    found = node._bindings.key_to_bindings
    for key, bindings in found.items():
        replaced = []
        for binding in bindings:
            text = translate(binding.description)
            replaced.append(
                binding if text is None else dataclasses.replace(binding, description=text)
            )
        found[key] = replaced


def bindings_of_key(screen: Any, key: str) -> list[tuple[DOMNode, Binding]]:
    """The bindings Textual tries for `key` on `screen`, in its order: the focused widget's,
    its ancestors', the screen's and the app's (up to the first modal screen), the keymap
    applied."""
    return [
        (node, binding)
        for node, found in screen._modal_binding_chain
        for binding in found.key_to_bindings.get(key, ())
    ]


async def run_key_bindings(app: Any, key: str, priority: bool) -> bool:
    """Run `key`'s bindings on the app's screen as a key press does (priority ones first, as
    the app does before the focused widget sees the key); True if one ran."""
    return bool(await app._check_bindings(key, priority=priority))


def watchers_of(reactable: object, name: str) -> list[Any]:
    """The nodes watching `reactable`'s reactive `name` (data_bind, watch)."""
    return [node for node, _callback in getattr(reactable, WATCHERS, {}).get(name, [])]


def forget_detached_watchers(reactable: object) -> None:
    """Drop the watchers of `reactable`'s reactives whose nodes are no longer attached."""
    for watchers in getattr(reactable, WATCHERS, {}).values():
        watchers[:] = [
            (node, callback) for node, callback in watchers if getattr(node, "is_attached", True)
        ]


def columns_sized(table: DataTable[Any]) -> bool:
    """Has the table sized its columns to its rows (DataTable does it when idle)?"""
    return not table._require_update_dimensions


class CellsKeptTable(DataTable[str]):
    """A DataTable that keeps the cells it has drawn, by what decides their look.

    DataTable draws every visible cell again after any change (its cell cache is keyed by a
    table-wide update count): a queue that moves up one row was drawn whole. Here a drawn cell
    is kept by its text, width, row style, cursor and focus; only the row and column the mouse
    reports (style meta) are set afresh. Header cells are drawn by DataTable as before."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._drawn_cells: dict[tuple[Any, ...], list[list[Segment]]] = {}

    def _render_cell(
        self,
        row_index: int,
        column_index: int,
        base_style: Style,
        width: int,
        *args: Any,
        **kw: Any,
    ) -> list[list[Segment]]:
        if row_index < 0 or column_index < 0:
            return super()._render_cell(row_index, column_index, base_style, width, *args, **kw)
        key = (
            self.get_cell_at(Coordinate(row_index, column_index)),
            width,
            base_style,
            args,
            tuple(sorted(kw.items())),
            self.show_cursor,
            getattr(self, "_show_hover_cursor", None),
            getattr(self, "_pseudo_class_state", None),
        )
        drawn = self._drawn_cells.get(key)
        if drawn is None:
            drawn = super()._render_cell(row_index, column_index, base_style, width, *args, **kw)
            if len(self._drawn_cells) > 4000:
                self._drawn_cells.clear()
            self._drawn_cells[key] = drawn
            return drawn
        where = Style.from_meta({"row": row_index, "column": column_index})
        return [list(Segment.apply_style(line, post_style=where)) for line in drawn]

    def notify_style_update(self) -> None:
        self._drawn_cells.clear()  # a theme or focus change: colours change
        super().notify_style_update()


LINE_BREAKING_MODULES = ("rich.text", "textual.content")


def use_line_breaker(divide_line: Callable[[str, int], list[int]]) -> None:
    """Make Rich's `Text` and Textual's `Content` wrap lines with `divide_line` (same contract as
    `rich._wrap.divide_line`). Idempotent."""
    import importlib

    for name in LINE_BREAKING_MODULES:
        module = importlib.import_module(name)
        if not hasattr(module, "divide_line"):
            raise RuntimeError(f"{name} no longer wraps through divide_line")
        module.divide_line = divide_line  # type: ignore[attr-defined]


def screen_lines(screen: Any) -> list[str]:
    """The text of each line the screen draws, top to bottom."""
    return [strip.text for strip in screen._compositor.render_strips()]


def incompatibilities() -> list[str]:
    """What this module relies on and the installed Textual lacks (empty: all there)."""
    import textual
    from textual.reactive import reactive
    from textual.widget import Widget

    found: list[str] = []
    version = getattr(textual, "__version__", "?")
    if not str(version).startswith(f"{TESTED_MAJOR}."):
        found.append(f"Textual {version} is not {TESTED_MAJOR}.x, the major version tested")

    node = DOMNode()
    if not isinstance(getattr(node, "_bindings", None), BindingsMap):
        found.append("a node's bindings are no longer a BindingsMap at `_bindings`")

    class Source(Widget):
        value: reactive[int] = reactive(0)

    source, watcher = Source(), Widget()
    watcher.watch(source, "value", lambda: None, init=False)
    if watchers_of(source, "value") != [watcher]:
        found.append(f"reactive watchers are no longer kept at `{WATCHERS}`")

    parameters = list(inspect.signature(DataTable._render_cell).parameters)
    if parameters[:5] != ["self", "row_index", "column_index", "base_style", "width"]:
        found.append(f"DataTable._render_cell takes {parameters}")
    table: DataTable[str] = DataTable()
    for name in ("_show_hover_cursor", "_pseudo_class_state", "_require_update_dimensions"):
        if not hasattr(table, name):
            found.append(f"DataTable has no `{name}`")
    import importlib

    from textual.screen import Screen

    for name in LINE_BREAKING_MODULES:
        if not hasattr(importlib.import_module(name), "divide_line"):
            found.append(f"{name} no longer wraps lines through `divide_line`")
    if not hasattr(Screen(), "_compositor"):
        found.append("a screen has no `_compositor`")
    if not isinstance(getattr(Screen, "_modal_binding_chain", None), property):
        found.append("a screen has no `_modal_binding_chain`")
    from textual.app import App

    check = getattr(App, "_check_bindings", None)
    if check is None or list(inspect.signature(check).parameters) != ["self", "key", "priority"]:
        found.append("App._check_bindings(key, priority) is gone or changed")
    return [f"{problem}: clerkdesk/widgets/textual_compat.py needs a look" for problem in found]
