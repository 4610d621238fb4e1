"""The steps the kiosk's longer errands are made of (booking a time, checking in, rating a
case): a choice among big keys (number keys 1-9, 0 for the next page), typing on a keypad, and
a last word. Esc goes back a step; the idle timeout goes back home. Each step says what the
hall answered on its message line; what a step does next is the errand's (a callback run as a
worker, one at a time: a double tap does it once)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import ClassVar

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Grid, Vertical
from textual.screen import Screen
from textual.widgets import Static

from clerkdesk.i18n import _
from clerkdesk.screens.kiosk.context import GoHome, KioskContext, gone
from clerkdesk.state.kiosk import PER_PAGE, pages
from clerkdesk.widgets.kiosk_keypad import DELETE, OK, EntryLine, Keypad
from clerkdesk.widgets.kiosk_keys import BigKey
from clerkdesk.widgets.ticket_number import TicketNumber

STRAY_TAP_S = 1.0


@dataclass(frozen=True)
class Option:
    title: str
    detail: str = ""
    enabled: bool = True


class KioskStep(Screen[None]):
    """A step of an errand: a title, what it asks, a message line, Esc back."""

    DEFAULT_CSS = """
    KioskStep #step-title { height: 1; padding: 0 1; background: $primary; text-style: bold; }
    KioskStep #step-text { height: auto; padding: 0 1; margin: 1 0 0 0; }
    KioskStep #message { height: 2; padding: 0 1; }
    KioskStep #message.-refusal { color: $text-error; text-style: bold; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "back", show=False)]

    def __init__(self, kiosk: KioskContext, title: str, text: str = "") -> None:
        super().__init__()
        self.kiosk, self.title_text, self.text = kiosk, title, text
        self.busy = False

    def compose_top(self) -> ComposeResult:
        yield Static(self.title_text, id="step-title")
        if self.text:
            yield Static(self.text, id="step-text")

    def say(self, text: str, refusal: bool = False) -> None:
        if gone(self):
            return
        line = self.query_one("#message", Static)
        line.set_class(refusal, "-refusal")
        line.update(text)

    def action_back(self) -> None:
        if not gone(self) and self.app.screen is self:
            self.app.pop_screen()

    def run_once(self, work: Callable[[], Awaitable[None]]) -> None:
        """The step's next move, one at a time (a second tap meanwhile does nothing)."""
        if self.busy:
            return
        self.busy = True

        async def running() -> None:
            try:
                await work()
            finally:
                self.busy = False

        self.run_worker(running(), group="step")


class ChoiceScreen(KioskStep):
    """Up to nine options a page as big keys; `pick(index)` is what a choice does."""

    DEFAULT_CSS = """
    ChoiceScreen #choices { grid-size: 3 3; grid-gutter: 0 1; height: 1fr; padding: 0 1; }
    ChoiceScreen #more { height: 4; padding: 0 1; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        *(Binding(str(n), f"pick({n})", show=False) for n in range(1, PER_PAGE + 1)),
        Binding("0", "next_page", show=False),
        Binding("escape", "back", show=False),
    ]

    def __init__(
        self,
        kiosk: KioskContext,
        title: str,
        options: Sequence[Option],
        pick: Callable[[ChoiceScreen, int], Awaitable[None]],
        text: str = "",
    ) -> None:
        super().__init__(kiosk, title, text)
        self.options, self.pick = list(options), pick
        self.page = 0

    def compose(self) -> ComposeResult:
        yield from self.compose_top()
        with Grid(id="choices"):
            for n in range(1, PER_PAGE + 1):
                yield BigKey(str(n), "", id=f"choice-{n}")
        with Grid(id="more"):
            yield BigKey("0", _("More"), id="next-page")
        yield Static("", id="message")

    def on_mount(self) -> None:
        self.query_one("#more", Grid).styles.grid_size_columns = 2
        self.show_page()

    def show_page(self) -> None:
        count = pages(len(self.options))
        shown = self.options[self.page * PER_PAGE : (self.page + 1) * PER_PAGE]
        for n in range(1, PER_PAGE + 1):
            key = self.query_one(f"#choice-{n}", BigKey)
            option = shown[n - 1] if n <= len(shown) else None
            key.display = option is not None
            if option is not None:
                key.show(option.title, option.detail)
                key.set_class(not option.enabled, "-closed")
        more = self.query_one("#next-page", BigKey)
        more.display = count > 1
        more.show(_("More"), f"{self.page + 1}/{count}")
        if len(self.options) <= 3:  # one row of keys, as tall as a key needs
            grid = self.query_one("#choices", Grid)
            grid.styles.grid_size_rows = 1
            grid.styles.height = 6

    def action_next_page(self) -> None:
        self.page = (self.page + 1) % pages(len(self.options))
        self.show_page()

    def action_pick(self, number: int) -> None:
        index = self.page * PER_PAGE + number - 1
        if not 0 <= index < len(self.options) or not self.options[index].enabled:
            return
        self.run_once(lambda: self.pick(self, index))

    def on_big_key_pressed(self, event: BigKey.Pressed) -> None:
        if event.key.id == "next-page":
            self.action_next_page()
        elif event.key.id and event.key.id.startswith("choice-"):
            self.action_pick(int(event.key.id.removeprefix("choice-")))


class KeypadScreen(KioskStep):
    """Typing digits (and the letters given) on the keypad or the keyboard; OK or Enter hands
    what was typed to `entered`."""

    DEFAULT_CSS = """
    KeypadScreen #entry-box { height: auto; padding: 0 1; }
    KeypadScreen Keypad { padding: 0 1; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", show=False),
        Binding("enter", "ok", show=False),
        Binding("backspace", "delete", show=False),
    ]

    def __init__(
        self,
        kiosk: KioskContext,
        title: str,
        placeholder: str,
        entered: Callable[[KeypadScreen, str], Awaitable[None]],
        *,
        letters: Sequence[str] = (),
        longest: int = 20,
        text: str = "",
    ) -> None:
        super().__init__(kiosk, title, text)
        self.placeholder, self.entered = placeholder, entered
        self.letters, self.longest = [x.upper() for x in letters], longest
        self.typed = ""

    def compose(self) -> ComposeResult:
        yield from self.compose_top()
        with Vertical(id="entry-box"):
            yield EntryLine(id="entry")
        yield Keypad(self.letters, id="keypad")
        yield Static("", id="message")

    def on_mount(self) -> None:
        self._show()

    def _show(self) -> None:
        self.query_one(EntryLine).show(self.typed, self.placeholder)

    def type(self, value: str) -> None:
        if value == DELETE:
            self.action_delete()
        elif value == OK:
            self.action_ok()
        elif len(self.typed) < self.longest:
            self.typed += value
            self.say("")
            self._show()

    def on_keypad_tapped(self, event: Keypad.Tapped) -> None:
        self.type(event.value)

    def on_key(self, event: events.Key) -> None:
        char = (event.character or "").upper()
        if len(char) == 1 and (char.isdigit() or char in self.letters):
            event.stop()
            self.type(char)

    def action_delete(self) -> None:
        self.typed = self.typed[:-1]
        self._show()

    def action_ok(self) -> None:
        if self.typed:
            typed = self.typed
            self.run_once(lambda: self.entered(self, typed))


class LastWordScreen(Screen[None]):
    """The errand's end: a big line and what follows; any key or tap goes home (from a second
    after it came)."""

    DEFAULT_CSS = """
    LastWordScreen { align: center middle; }
    LastWordScreen Vertical { width: 72; max-width: 100%; height: auto; border: thick $success;
        padding: 1 2; background: $surface; }
    LastWordScreen #headline { text-style: bold; height: auto; }
    LastWordScreen #body { height: auto; margin-top: 1; }
    LastWordScreen TicketNumber { height: auto; margin-top: 1; color: $text-primary; }
    """

    def __init__(self, kiosk: KioskContext, headline: str, body: str, big: str = "") -> None:
        super().__init__()
        self.kiosk, self.headline, self.body, self.big = kiosk, headline, body, big
        self.came = kiosk.idle.monotonic()

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(self.headline, id="headline")
            if self.big:
                yield TicketNumber(id="big")
            yield Static(self.body, id="body")

    def on_mount(self) -> None:
        if self.big:
            self.query_one(TicketNumber).code = self.big

    def _home(self) -> None:
        if self.kiosk.idle.monotonic() - self.came >= STRAY_TAP_S:
            self.post_message(GoHome())

    def on_key(self, event: events.Key) -> None:
        event.stop()
        self._home()

    def on_click(self, event: events.Click) -> None:
        event.stop()
        self._home()
