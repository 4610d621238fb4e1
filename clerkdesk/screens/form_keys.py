"""The keys of a form (sign-in, first start, a dialog of two fields), decided before the keys
typed after them are delivered.

Textual hands every key to the widget that has the focus as it arrives, and runs a screen's
ordinary bindings later, once the key has bubbled up. Typed fast, pasted, or sent by a badge
scanner ("1001<Tab>secret<Enter>"), the keys after a Tab or an Enter reach the field the focus
is leaving: the password lands in the staff number. As priority bindings, Tab and Shift+Tab
move the focus at once, in the app's own queue, and Enter runs the screen's `action_enter`
there too; a screen that checks or sends on Enter does so once the field has taken the keys
typed before it (`field.call_later`).

Keys typed while the workstation starts, before it takes the terminal into raw mode, pass the
terminal's line discipline first, which turns Enter's carriage return into a line feed: Textual
reads that as Ctrl+J. In a form it is Enter."""

from __future__ import annotations

from textual.binding import Binding, BindingType

FORM_KEYS: list[BindingType] = [
    Binding("enter,ctrl+j", "enter", show=False, priority=True),
    Binding("tab", "app.focus_next", show=False, priority=True),
    Binding("shift+tab", "app.focus_previous", show=False, priority=True),
]
