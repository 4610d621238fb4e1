"""Keys typed ahead at the counter and on the duty lead's screen: applied in order once the
screen is ready, or refused with a word; never dropped in silence.

Textual runs a key's binding as soon as the key comes in, against what the screen shows then,
and skips it without a word when `check_action` says no. A clerk who types `n s c 1` faster than
the hall answers had `s` checked before the call was answered: skipped, and so were the rest.
Here a "keyed" screen (`KeyedScreen`: the counter, the lead's screen) says when it is not ready
for keys: a change on its way to the hall, the screen not read yet, a dialog's answer not yet
taken. Keys typed then wait, in order, and are applied one by one as it gets ready again. A key
that opens a dialog is followed by the next keys once the dialog is up (a digit picks an
outcome, letters go into its field); the dialog's answer is taken before the key after it.

On a keyed screen, a key whose action cannot be done now says why on the message line (the
screen words it: `key_refusal`), and a key that does nothing there says so. Offline, nothing
waits: each key says that the hall does not answer.

The app owns one `TypeAhead` and hands it each key where it would run the key's bindings (its
`on_key`, after the focused widget has had the key), so text an input takes is never held.
"""

from __future__ import annotations

from collections import deque
from typing import Any, Protocol, runtime_checkable

from textual import events
from textual.app import App
from textual.screen import Screen

from clerkdesk.i18n import _, ngettext
from clerkdesk.screens.dialogs import Dialog
from clerkdesk.widgets.textual_compat import bindings_of_key, run_key_bindings

HELD_AT_MOST = 64  # keys typed ahead beyond this are refused, each with a word


@runtime_checkable
class KeyedScreen(Protocol):
    """A screen whose keys wait while it is not ready, and that says why a key is refused."""

    def keys_ready(self) -> bool:
        """May a key be applied now? (False: keys typed now wait, in order.)"""
        ...

    def key_refusal(self, actions: list[str]) -> str:
        """Why none of these actions of the screen (all bound to one key) can be done now."""
        ...

    def say(self, text: str, error: bool = False) -> None: ...

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None: ...


def keys_may_go(screen: Screen[Any]) -> None:
    """The screen may be ready for keys again: the held ones go on (where the app keeps any)."""
    found = getattr(screen.app, "type_ahead", None)
    if isinstance(found, TypeAhead):
        found.release()


def key_name(event: events.Key) -> str:
    """The key as a person names it: "1", "n", "F11", "Ctrl+X"."""
    if event.is_printable and event.character and event.character.strip():
        return event.character
    return "+".join(
        part.upper() if len(part) == 1 else part.capitalize() for part in event.key.split("+")
    )


def nothing_here(event: events.Key) -> str:
    return _("“{key}” does nothing here: the footer shows what can be done now.").format(
        key=key_name(event)
    )


TAKEN, LATER, NOT_TAKEN = "taken", "later", "not taken"  # what became of a key (press)


class TypeAhead:
    def __init__(self, app: App[Any]) -> None:
        self.app = app
        self.held: deque[events.Key] = deque()  # in order, for the screen on top once ready
        self.later: deque[events.Key] = deque()  # a dialog did not take them: for the screen
        # under it, once the dialog is answered
        self.owner: Screen[Any] | None = None  # the keyed screen the keys were typed at
        self._release_asked = False

    def start(self) -> None:
        """Once the app runs: whenever the screen on top changes, the held keys may go on."""
        self.app.screen_change_signal.subscribe(self.app, lambda _screen: self.release())

    # --- a key comes in ----------------------------------------------------------------------

    def hold(self, event: events.Key) -> bool:
        """Keep the key for later (True): keys before it wait, or the keyed screen on top is
        not ready, or the dialog it opened is not up yet."""
        if (self.held or self.later) and not self._owner_here():
            self._drop()
        top = self.app.screen
        if isinstance(top, KeyedScreen):
            if top.keys_ready() and not self.held and not self.later:
                return False
            self.owner = top
        elif isinstance(top, Dialog) and self._keyed_below(top):
            if top.is_mounted and not self.held:
                return False  # a dialog that is up has the key first (press)
        else:
            return False  # another screen over it (the palette): the key is its own
        self._keep(self.held, event)
        return True

    def _keep(self, keys: deque[events.Key], event: events.Key) -> None:
        if len(self.held) + len(self.later) >= HELD_AT_MOST:
            self._say(
                _("Too many keys typed ahead: “{key}” was not kept.").format(key=key_name(event))
            )
        else:
            keys.append(events.Key(event.key, event.character))

    def _keyed_below(self, dialog: Screen[Any]) -> bool:
        """Is the screen under `dialog` a keyed one? (Keys the dialog does not take wait for
        it.) Remembers it as the screen the keys are for."""
        stack = self.app.screen_stack
        below = stack[stack.index(dialog) - 1] if dialog in stack[1:] else None
        if isinstance(below, KeyedScreen):
            self.owner = below
            return True
        return False

    async def press(self, event: events.Key) -> str:
        """Apply the key now, as the app would (its bindings, the focused input's text); on a
        keyed screen a key that does nothing says why; a key a dialog over a keyed screen does
        not take waits for that screen (LATER). NOT_TAKEN: the app's default applies."""
        app, key = self.app, event.key
        # The app tried the priority bindings when the key came in, on the screen then on top:
        # a key typed before its dialog was up missed the dialog's (Enter in a form).
        if await run_key_bindings(app, key, priority=True):
            return TAKEN
        top = app.screen
        if not isinstance(top, KeyedScreen):
            focused = app.focused
            if focused is not None and focused.check_consume_key(key, event.character):
                focused.post_message(events.Key(key, event.character))  # typed before it was up
                return TAKEN
            if await run_key_bindings(app, key, priority=False):
                return TAKEN
            if isinstance(top, Dialog) and self._keyed_below(top):
                self._keep(self.later, event)
                return LATER
            return NOT_TAKEN
        own = [
            b.action for node, b in bindings_of_key(top, key) if node is top and "." not in b.action
        ]
        if own and not any(top.check_action(action, ()) is True for action in own):
            top.say(top.key_refusal(own), True)
        elif not await run_key_bindings(app, key, priority=False):
            top.say(nothing_here(event), True)
        return TAKEN

    # --- the screen gets ready ---------------------------------------------------------------

    def release(self) -> None:
        """The screen may be ready again: apply the held keys, in the app's turn."""
        if (self.held or self.later) and not self._release_asked:
            self._release_asked = True
            self.app.call_later(self._release)

    async def _release(self) -> None:
        self._release_asked = False
        while self.held or self.later:
            if not self._owner_here():
                self._drop()
                return
            top = self.app.screen
            if isinstance(top, Dialog):
                if not self.held:
                    return  # the rest waits for the dialog's answer
                if not top.is_mounted:
                    self.app.call_after_refresh(self.release)  # once the dialog is up
                    return
                if await self.press(self.held.popleft()) == TAKEN:
                    self.app.call_after_refresh(self.release)  # its answer, if any, first
                    return
                continue
            if not isinstance(top, KeyedScreen):
                return  # e.g. the palette is open over the screen: once it closes
            if self.later:  # typed before the held ones: they go first
                self.held.extendleft(reversed(self.later))
                self.later.clear()
            if not top.keys_ready():
                return  # it releases them again once it is
            await self.press(self.held.popleft())
            if self.app.screen is not top:  # a dialog opened: once it is up
                self.release()
                return

    # --- keys that cannot go on --------------------------------------------------------------

    def _owner_here(self) -> bool:
        """Is the screen the keys wait for still there? A key that moved to another keyed
        screen (d to the lead's screen, Esc back to the counter) hands the rest on to it."""
        if self.owner is not None and self.owner in self.app.screen_stack:
            return True
        top = self.app.screen
        if isinstance(top, KeyedScreen):
            self.owner = top
            return True
        return isinstance(top, Dialog) and self._keyed_below(top)

    def _say(self, text: str) -> None:
        top = self.app.screen
        if isinstance(top, KeyedScreen):
            top.say(text, True)
        else:
            self.app.notify(text, severity="warning", markup=False)

    def _drop(self) -> None:
        """The screen the keys were typed at has gone (left, the window taken over)."""
        count = len(self.held) + len(self.later)
        self.held.clear()
        self.later.clear()
        self.owner = None
        self.app.notify(
            ngettext(
                "{n} key typed ahead was not used: the screen it was typed at has closed.",
                "{n} keys typed ahead were not used: the screen they were typed at has closed.",
                count,
            ).format(n=count),
            severity="warning",
            markup=False,
        )
