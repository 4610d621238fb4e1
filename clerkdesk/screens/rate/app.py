"""`clerkdesk rate --window 8`: the rating pad at a counter (好差评), facing the citizen.

It follows the hall's events as the kiosk does (number, service, window and state: never a
name or a note). When window 8 completes a case it asks for 1-5 on five big keys (number keys,
or a touch), then for an optional reason from a short list (or a few words), sends the rating,
thanks the citizen and waits for the next. What it shows is `state.rating_pad.RatingPad`.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from typing import Any, ClassVar

from rich.cells import cell_len
from textual import events, work
from textual.app import App, ComposeResult
from textual.containers import Grid, Horizontal, Vertical
from textual.widgets import Button, ContentSwitcher, Input, Static

from clerkdesk.api import appointment_schemas as aw
from clerkdesk.api.appointments import AppointmentsClient
from clerkdesk.api.client import HallClient
from clerkdesk.api.errors import ApiError, HallClientError, Unauthorized
from clerkdesk.api.events import EventSubscription, StreamStatus
from clerkdesk.clock import Clock
from clerkdesk.i18n import _
from clerkdesk.state.appointment_words import reason_name, score_name
from clerkdesk.state.rating_pad import Phase, Rating, RatingPad
from clerkdesk.theming import pick_theme, register_themes
from clerkdesk.widgets.line_breaks import use_cjk_line_breaks

MOST_REASONS = max(len(aw.reasons_for(score)) for score in range(1, 6))
RELOGIN_PAUSE_S = 2.0
RETRY_EVERY_S = 10
"""Seconds between tries to send a rating the hall has not taken yet."""
Relogin = Callable[[], Awaitable[None]]


def two_lines(text: str, width: int = 12) -> str:
    """A key's name on at most two lines of `width` cells ("Very" / "dissatisfied")."""
    if cell_len(text) <= width or " " not in text:
        return text
    words = text.split(" ")
    best = min(
        range(1, len(words)),
        key=lambda i: abs(cell_len(" ".join(words[:i])) - cell_len(" ".join(words[i:]))),
    )
    return " ".join(words[:best]) + "\n" + " ".join(words[best:])


class RateApp(App[None]):
    TITLE = "ClerkDesk"
    CSS = """
    Screen { background: $background; }
    #title { height: 1; background: $primary; color: $text; padding: 0 1; text-style: bold; }
    #panes { height: 1fr; }
    .pane { align: center middle; height: 1fr; }
    .big { width: 100%; text-align: center; text-style: bold; margin-bottom: 1; }
    .line { width: 100%; text-align: center; }
    #scores { height: 7; width: 100%; align: center middle; }
    #scores Button { width: 1fr; height: 7; min-width: 14; margin: 0 1 0 0; }
    #scores Button > .button--label { text-wrap: wrap; }
    #reasons { grid-size: 3; grid-gutter: 1 1; height: auto; width: 100%; margin: 1 0; }
    #reasons Button { width: 100%; height: 3; }
    #words { width: 60; }
    #hint { height: 1; color: $text-muted; padding: 0 1; }
    """
    SCORE_VARIANTS: ClassVar[dict[int, str]] = {
        5: "success",
        4: "success",
        3: "default",
        2: "warning",
        1: "error",
    }

    def __init__(
        self,
        client: HallClient,
        window: int,
        clock: Clock,
        *,
        label: str = "",
        relogin: Relogin | None = None,
        follow: bool = True,
    ) -> None:
        super().__init__()
        use_cjk_line_breaks()
        register_themes(self)
        self.theme = pick_theme(self, None)
        self.client = client
        self.ratings = AppointmentsClient(client)
        self.clock = clock
        self.pad = RatingPad(window)
        self.label = label or _("Window {n}").format(n=window)
        self.relogin = relogin
        self.online = True
        self.connected = False
        """The event stream has been connected at least once (live from then on)."""
        self._follow = follow
        self._sending: set[str] = set()
        self._since_retry = 0

    # --- layout -----------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Static(id="title")
        with ContentSwitcher(initial=Phase.waiting.value, id="panes"):
            with Vertical(id=Phase.waiting.value, classes="pane"):
                yield Static(_("Welcome"), classes="big")
                yield Static(
                    _("When your case is done, please rate our service here."), classes="line"
                )
            with Vertical(id=Phase.score.value, classes="pane"):
                yield Static(id="case", classes="big")
                yield Static(_("How satisfied are you with this service?"), classes="line")
                with Horizontal(id="scores"):
                    for score in (5, 4, 3, 2, 1):
                        yield Button(
                            f"{score}\n{two_lines(score_name(score))}",
                            id=f"score-{score}",
                            variant=self.SCORE_VARIANTS[score],  # type: ignore[arg-type]
                        )
            with Vertical(id=Phase.reason.value, classes="pane"):
                yield Static(id="chosen", classes="big")
                yield Static(_("Why? (optional)"), classes="line")
                with Grid(id="reasons"):
                    for n in range(1, MOST_REASONS + 1):
                        yield Button("", id=f"reason-{n}")
            with Vertical(id=Phase.comment.value, classes="pane"):
                yield Static(_("In a few words (optional):"), classes="line")
                yield Input(id="words", max_length=200)
            with Vertical(id=Phase.thanks.value, classes="pane"):
                yield Static(_("Thank you for your rating!"), classes="big")
                yield Static(id="thanks-line", classes="line")
        yield Static(id="hint")

    def on_mount(self) -> None:
        self.show()
        if self._follow:
            self.follow_events()
            self.set_interval(1.0, self.tick)

    # --- what it shows ----------------------------------------------------------------------

    def show(self) -> None:
        pad = self.pad
        title = _("{window} · Rate our service").format(window=self.label)
        if not self.online:
            title += " · " + _("the hall does not answer: trying again")
        self.query_one("#title", Static).update(title)
        self.query_one(ContentSwitcher).current = pad.phase.value
        if pad.case is not None:
            case = f"{pad.case.code}  {pad.case.service_name}"
            self.query_one("#case", Static).update(case)
        if pad.phase is Phase.reason and pad.score is not None:
            self.query_one("#chosen", Static).update(
                "★" * pad.score + "☆" * (5 - pad.score) + "  " + score_name(pad.score)
            )
            self._show_reasons()
        if pad.phase is Phase.comment:
            words = self.query_one("#words", Input)
            words.value = ""
            words.focus()
        elif self.focused is not None:
            self.set_focus(None)
        self.query_one("#thanks-line", Static).update(
            _("Please take your documents with you.") if pad.phase is Phase.thanks else ""
        )
        self.query_one("#hint", Static).update(self._hint())

    def _show_reasons(self) -> None:
        reasons = self.pad.reasons()
        for n in range(1, MOST_REASONS + 1):
            button = self.query_one(f"#reason-{n}", Button)
            button.display = n <= len(reasons)
            if n <= len(reasons):
                button.label = f"{n}  {reason_name(reasons[n - 1])}"

    def _hint(self) -> str:
        phase = self.pad.phase
        if phase is Phase.score:
            return _("Press 1-5 (5: very satisfied)")
        if phase is Phase.reason:
            return _("Press a number for a reason · Enter: send without a reason · Esc: back")
        if phase is Phase.comment:
            return _("Enter: send · Esc: back")
        return ""

    # --- keys and touches -------------------------------------------------------------------

    def on_key(self, event: events.Key) -> None:
        now = self.clock.now()
        pad = self.pad
        if pad.phase is Phase.comment:
            if event.key == "escape":
                event.stop()
                pad.back(now)
                self.show()
            return  # the words go to the input
        changed = False
        if event.key.isdigit() and len(event.key) == 1:
            number = int(event.key)
            if pad.phase is Phase.score:
                changed = pad.pick_score(number, now)
            elif pad.phase is Phase.reason:
                changed = self._sent(pad.pick_reason(number, now)) or pad.phase is Phase.comment
        elif event.key == "enter" and pad.phase is Phase.reason:
            changed = self._sent(pad.no_reason(now))
        elif event.key == "escape":
            changed = pad.back(now)
        if changed:
            event.stop()
            self.show()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        button = event.button.id or ""
        kind, _sep, number = button.partition("-")
        if not number.isdigit():
            return
        now = self.clock.now()
        if kind == "score":
            self.pad.pick_score(int(number), now)
        elif kind == "reason":
            self._sent(self.pad.pick_reason(int(number), now))
        self.show()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self._sent(self.pad.write(event.value, self.clock.now()))
        self.show()

    # --- the hall ---------------------------------------------------------------------------

    def tick(self) -> None:
        """Every second: time-outs, and now and then another try for what was not sent."""
        if self.pad.tick(self.clock.now()):
            self.show()
        self._since_retry += 1
        if self._since_retry >= RETRY_EVERY_S:
            self._since_retry = 0
            for rating in list(self.pad.outbox):
                if rating.key not in self._sending:
                    self.send(rating)

    def _sent(self, rating: Rating | None) -> bool:
        if rating is None:
            return False
        self.send(rating)
        return True

    @work(group="send")
    async def send(self, rating: Rating) -> None:
        """Send `rating` (again, with its key, until the hall has it or refuses it for good)."""
        if rating.key in self._sending:
            return
        self._sending.add(rating.key)
        try:
            await self.ratings.rate(
                rating.case.ticket_id, rating.score, rating.reason, rating.comment, key=rating.key
            )
            self.pad.taken(rating)
        except Unauthorized:
            await self._sign_in_again()  # the day's sign-in ended: the next try goes through
        except ApiError as refusal:
            if refusal.code == "already_rated":
                self.pad.taken(rating)
            elif refusal.status in (403, 404, 409, 422):
                self.pad.dropped(rating)
        except HallClientError:
            pass  # kept in the outbox: tried again
        finally:
            self._sending.discard(rating.key)

    async def _sign_in_again(self) -> None:
        if self.relogin is not None:
            with contextlib.suppress(HallClientError):
                await self.relogin()

    @work(exclusive=True, group="events")
    async def follow_events(self) -> None:
        subscription = EventSubscription(self.client)  # from now on: live
        while True:
            try:
                async for item in subscription:
                    if isinstance(item, StreamStatus):
                        self.connected = self.connected or item.connected
                        if self.online != item.connected:
                            self.online = item.connected
                            self.show()
                        continue
                    self.take(item)
            except Unauthorized:  # the day's sign-in ended: again, from where it was
                self.online = False
                self.show()
                await asyncio.sleep(RELOGIN_PAUSE_S)
                await self._sign_in_again()
                subscription = EventSubscription(self.client, after=subscription.last_event_id)

    def take(self, event: Any) -> None:
        """An event of the hall: a case completed at this window is asked about."""
        if self.pad.on_event(event, self.clock.now()):
            self.show()
