"""Filling a DataTable with columns sized to their contents in terminal cells (a Chinese
character takes two), at once rather than when the table next goes idle."""

from __future__ import annotations

from collections.abc import Sequence

from rich.cells import cell_len
from textual.widget import Widget
from textual.widgets import DataTable

from clerkdesk.i18n import NP_, pgettext
from clerkdesk.widgets.textual_compat import translate_bindings

Row = tuple[str, Sequence[str]]  # (row key, cells)

# Textual's own descriptions of a table's keys, which the palette's "Keys" panel lists, in one
# spelling (Textual writes "Page up" for a table and "Page Left" for its scrolling), then in the
# workstation's language (in the context "key": "End" the key is not "End" the column).
TEXTUAL_KEY_HELP: dict[str, str] = {
    "Select": NP_("key", "Select"),
    "Cursor up": NP_("key", "Cursor up"),
    "Cursor down": NP_("key", "Cursor down"),
    "Cursor left": NP_("key", "Cursor left"),
    "Cursor right": NP_("key", "Cursor right"),
    "Page up": NP_("key", "Page up"),
    "Page Up": NP_("key", "Page up"),
    "Page down": NP_("key", "Page down"),
    "Page Down": NP_("key", "Page down"),
    "Page Left": NP_("key", "Page left"),
    "Page Right": NP_("key", "Page right"),
    "Top": NP_("key", "Top"),
    "Bottom": NP_("key", "Bottom"),
    "Home": NP_("key", "Home"),
    "End": NP_("key", "End"),
    "Scroll Up": NP_("key", "Scroll up"),
    "Scroll Down": NP_("key", "Scroll down"),
    "Scroll Left": NP_("key", "Scroll left"),
    "Scroll Right": NP_("key", "Scroll right"),
    "Scroll Home": NP_("key", "Scroll home"),
    "Scroll End": NP_("key", "Scroll end"),
}


def translate_key_help(widget: Widget) -> None:
    """Textual's descriptions of `widget`'s keys (a table's cursor keys) in the workstation's
    language, as the "Keys" panel shows them. Call once the widget is made."""
    translate_bindings(
        widget,
        lambda text: pgettext("key", TEXTUAL_KEY_HELP[text]) if text in TEXTUAL_KEY_HELP else None,
    )


def rebuild(
    table: DataTable[str],
    columns: Sequence[tuple[str, str]],
    rows: Sequence[Row],
    min_widths: dict[str, int] | None = None,
) -> None:
    """Replace every column and row; each column as wide as its widest cell or header. The
    cursor stays on the row it was on, if that row is still there."""
    minimum = min_widths or {}
    widths = [
        max([cell_len(label), minimum.get(key, 0)] + [cell_len(cells[i]) for _k, cells in rows])
        for i, (key, label) in enumerate(columns)
    ]
    keys = [key for key, _cells in rows]
    chosen = None
    if table.row_count and table.cursor_row < table.row_count:
        chosen = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
    table.clear(columns=True)
    for (key, label), width in zip(columns, widths, strict=True):
        table.add_column(label, width=width, key=key)
    for key, cells in rows:
        table.add_row(*cells, key=key)
    if chosen in keys:
        table.move_cursor(row=keys.index(chosen), animate=False)


def fits(table: DataTable[str], rows: Sequence[Row]) -> bool:
    """Do these rows fit the table's present column widths (so they can simply be added)?"""
    columns = list(table.columns.values())
    return all(
        len(cells) == len(columns)
        and all(cell_len(cell) <= column.width for cell, column in zip(cells, columns, strict=True))
        for _key, cells in rows
    )
