"""Sign in: the hall's server, a staff number and a password; or straight back in from the token
stored at the last sign-in, until it expires."""

from __future__ import annotations

from typing import ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Center, Vertical
from textual.screen import Screen
from textual.widgets import Button, Footer, Input, Label, Static

from clerkdesk.api.errors import ApiError, HallClientError, HallUnreachable
from clerkdesk.i18n import _
from clerkdesk.messages import SignedIn
from clerkdesk.screens.form_keys import FORM_KEYS
from clerkdesk.state.refusals import explain
from clerkdesk.state.session import Server, Workstation


class SignInScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = FORM_KEYS  # see there: bursts of keys
    # The field to type in first (the staff number, or the password when it is known) has the
    # focus as the screen shows (Textual's auto focus), not a turn later: keys typed while the
    # workstation starts (a clerk does not wait for the screen) went to the first field, the
    # hall service's address, and replaced it.
    AUTO_FOCUS = ".first"
    DEFAULT_CSS = """
    SignInScreen { align: center middle; }
    SignInScreen #sign-in {
        width: 60;
        max-width: 100%;
        height: auto;
        padding: 0 2;
        background: $surface;
        border: round $primary;
        border-title-style: bold;
    }
    SignInScreen Label { margin-top: 1; }
    SignInScreen Button { margin-top: 1; width: 100%; }
    SignInScreen #message { margin-top: 1; height: auto; }
    """

    def __init__(self, ws: Workstation, staff_no: str = "", message: str | None = None) -> None:
        super().__init__()
        self.ws = ws
        self._staff_no = staff_no
        self._message = message

    def compose(self) -> ComposeResult:
        with Center(), Vertical(id="sign-in"):
            yield Label(_("Hall service"))
            yield Input(
                self.ws.server.label, id="server", disabled=self.ws.server.embedded, compact=True
            )
            yield Label(_("Staff number"))
            first = ("", "first") if self._staff_no else ("first", "")
            yield Input(
                self._staff_no, id="staff-no", max_length=32, compact=True, classes=first[0]
            )
            yield Label(_("Password"))
            yield Input(
                "", id="password", password=True, max_length=256, compact=True, classes=first[1]
            )
            yield Button(_("Sign in"), id="submit", variant="primary", compact=True)
            yield Static(self._message or "", id="message", classes="refusal")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#sign-in").border_title = _("ClerkDesk · sign in")
        if self.app.is_headless:
            for field in self.query(Input):
                field.cursor_blink = False
        if self._staff_no and self._message is None:
            self.say(_("Resuming your sign-in…"), error=False)
            self.resume(self._staff_no)

    def say(self, text: str, error: bool = True) -> None:
        line = self.query_one("#message", Static)
        line.set_class(error, "refusal")
        line.update(text)

    def action_enter(self) -> None:
        """Enter moves from the staff number to the password and signs in from anywhere else.
        Focus moves at once (`set_focus`, not `focus()`, which waits its turn in the queue);
        the check and the sign-in wait until the field has taken the keys typed before it."""
        focused = self.focused
        if isinstance(focused, Input) and focused.id == "staff-no":
            self.set_focus(self.query_one("#password", Input))
            focused.call_later(self._check_staff_no)
        elif focused is not None:
            focused.call_later(self.submit)
        else:
            self.submit()

    def _check_staff_no(self) -> None:
        if not self.query_one("#staff-no", Input).value.strip():
            self.say(_("Type your staff number."))
            self.set_focus(self.query_one("#staff-no", Input))

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.submit()

    def submit(self) -> None:
        staff_no = self.query_one("#staff-no", Input).value.strip()
        password = self.query_one("#password", Input).value
        if not staff_no:
            self.say(_("Type your staff number."))
            self.query_one("#staff-no", Input).focus()
            return
        if not password:
            self.say(_("Type your password."))
            self.query_one("#password", Input).focus()
            return
        self.say(_("Signing in…"), error=False)
        self.sign_in(self.query_one("#server", Input).value.strip(), staff_no, password)

    @work(exclusive=True, group="sign-in")
    async def resume(self, staff_no: str) -> None:
        try:
            me = await self.ws.resume(staff_no)
        except HallClientError as exc:
            self.say(explain(exc))
            return
        if me is None:
            self.say(_("Type your password to sign in."), error=False)
            return
        self.post_message(SignedIn(me))

    @work(exclusive=True, group="sign-in")
    async def sign_in(self, server_text: str, staff_no: str, password: str) -> None:
        if server_text and server_text != self.ws.server.label:
            if not server_text.startswith(("http://", "https://")):
                self.say(_("The server address starts with http:// or https://."))
                return
            await self.ws.switch_server(Server.remote(server_text))
        try:
            me = await self.ws.sign_in(staff_no, password)
        except HallUnreachable:
            self.say(
                _("Cannot reach the hall service at {server}: check the address.").format(
                    server=self.ws.server.label
                )
            )
            return
        except ApiError as exc:
            self.say(explain(exc))
            self.query_one("#password", Input).value = ""
            return
        self.post_message(SignedIn(me))
