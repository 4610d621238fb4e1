"""The counter workstation: sign in, pick a window, work the counter.

The app only moves between screens; the screens talk to the hall through `Workstation` and post
messages (clerkdesk.messages) when the clerk's situation changes.
"""

from __future__ import annotations

import sys
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from textual import events, work
from textual.app import App, SystemCommand
from textual.await_complete import AwaitComplete
from textual.binding import Binding
from textual.command import CommandPalette, Provider
from textual.screen import ModalScreen, Screen

from clerkdesk.api.errors import Conflict, HallClientError
from clerkdesk.config import ConfigError, Settings, load_settings, save_settings
from clerkdesk.i18n import _
from clerkdesk.messages import (
    BackFromDutyLead,
    HallCreated,
    SignedIn,
    SignedOut,
    WindowLeft,
    WindowTaken,
)
from clerkdesk.palette import WorkstationCommands
from clerkdesk.screens.counter import CounterScreen
from clerkdesk.screens.dialogs import Dialog
from clerkdesk.screens.hall_link import BACKOFF
from clerkdesk.screens.start.sign_in import SignInScreen
from clerkdesk.screens.start.signing_in import SigningInScreen
from clerkdesk.screens.start.window_picker import WindowPickerScreen, my_windows
from clerkdesk.screens.type_ahead import KeyedScreen, TypeAhead
from clerkdesk.state.first_run import FirstRunAnswers
from clerkdesk.state.refusals import explain
from clerkdesk.state.session import Workstation
from clerkdesk.theming import STYLESHEET, pick_theme, register_themes, save_theme_choice
from clerkdesk.widgets.line_breaks import use_cjk_line_breaks
from clerkdesk.widgets.textual_compat import replace_bindings

CreateHall = Callable[[FirstRunAnswers], None]
MY_LEAVE_KEY, MY_LEAVE_ID = "v", "app.my_leave"


@dataclass(frozen=True)
class AutoSignIn:
    """Sign in by itself and take the first free window of `windows` (empty: of my department's
    windows). The demo and the first start use it."""

    staff_no: str
    password: str
    windows: Sequence[int]


class ClerkDeskApp(App[None]):
    CSS_PATH = STYLESHEET
    COMMANDS: ClassVar[set[type[Provider] | Callable[[], type[Provider]]]] = {WorkstationCommands}
    TITLE = "ClerkDesk"

    def __init__(
        self,
        ws: Workstation,
        *,
        settings: Settings | None = None,
        auto: AutoSignIn | None = None,
        create_hall: CreateHall | None = None,
        background: Callable[[], Awaitable[None]] | None = None,
        backoff: tuple[float, ...] = BACKOFF,
        remember: bool = True,
    ) -> None:
        super().__init__()
        use_cjk_line_breaks()
        replace_bindings(
            self,
            [
                Binding("ctrl+q", "quit", _("Quit"), show=False, priority=True),
                Binding("ctrl+c", "help_quit", show=False, system=True),
                Binding(
                    self.COMMAND_PALETTE_BINDING,
                    "command_palette",
                    _("palette"),
                    show=False,
                    key_display=self.COMMAND_PALETTE_DISPLAY,
                    priority=True,
                    tooltip=_("Open the command palette"),
                ),
                Binding(  # leads and admins (check_action): the hall monitor (issue 13); not h,
                    "w",  # which is the counter's hand-off
                    "hall_monitor",
                    _("Hall monitor"),
                    tooltip=_("Queues, windows, congestion alerts and tide windows"),
                    id="app.hall_monitor",
                ),
                Binding(  # offered to everyone signed in, on the screens they work on
                    MY_LEAVE_KEY,
                    "my_leave",
                    _("My leave"),
                    show=False,
                    tooltip=_("Your comp leave: balance, ledger, duties; ask for leave"),
                    id=MY_LEAVE_ID,
                ),
                Binding(  # offered only while the keys panel is shown (check_action)
                    "escape",
                    "hide_help_panel",
                    _("Hide the keys panel"),
                    show=False,
                    key_display="Esc",
                    priority=True,
                ),
            ],
        )
        self.ws = ws
        self.settings = settings or Settings()
        self._auto = auto
        self._create_hall = create_hall
        self._background = background
        self._backoff = backoff
        self._remember = remember
        self._notice_shown = False
        self.type_ahead = TypeAhead(self)  # keys typed ahead at the counter, the lead's screen
        self._theme_problems = register_themes(self)  # the user's theme files not used
        self.theme = pick_theme(self, self.settings.theme)
        keymap = self.settings.extra.get("keymap")
        self.keymap: dict[str, str] = {}  # [keymap] in config.toml: binding id = "keys"
        if isinstance(keymap, dict):
            self.keymap = {str(k): str(v) for k, v in keymap.items()}
            self.set_keymap(self.keymap)

    def action_command_palette(self) -> None:
        """Textual's palette, with its search prompt in the workstation's language."""
        if self.use_command_palette and not CommandPalette.is_open(self):  # type: ignore[arg-type]
            self.push_screen(
                CommandPalette(id="--command-palette", placeholder=_("Search for commands…"))
            )

    def watch_theme(self, name: str) -> None:
        if name != self.settings.theme:
            self.settings.theme = name
            try:
                save_theme_choice(name)
            except (ConfigError, OSError) as exc:
                self.notify(str(exc), severity="error")

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        """The app's commands, after the screen's own (clerkdesk.palette), in this order."""
        if self._offers_duty_lead(screen):
            yield SystemCommand(
                _("Duty lead"),
                _("Extension requests and overruns waiting for your decision"),
                self.action_duty_lead,
            )
        if self._offers_monitor(screen):
            yield SystemCommand(
                _("Hall monitor"),
                _("Queues, windows, congestion alerts and tide windows"),
                self.action_hall_monitor,
            )
        if self._offers_my_leave(screen):
            keys = self.keymap.get(MY_LEAVE_ID, MY_LEAVE_KEY)
            yield SystemCommand(
                _("My leave") + f"  ({keys})",
                _("Your comp leave: balance, ledger, duties; ask for leave"),
                self.action_my_leave,
            )
        if screen.query("HelpPanel"):
            yield SystemCommand(
                _("Keys"), _("Hide the keys panel (Esc)"), self.action_hide_help_panel
            )
        else:
            yield SystemCommand(_("Keys"), _("Show every key"), self.action_show_help_panel)
        yield SystemCommand(
            _("Theme"), _("Change the colours (kept for the next start)"), self.action_change_theme
        )
        yield SystemCommand(_("Quit"), _("Close the workstation"), self.action_quit)

    async def on_key(self, event: events.Key) -> None:
        """Where the app would run the key's bindings: a key typed ahead waits for its screen;
        on the counter and the lead's screen a key that does nothing says why."""
        if self.type_ahead.hold(event):
            event.prevent_default()
            event.stop()
        elif isinstance(self.screen, (KeyedScreen, Dialog)):
            event.prevent_default()  # done here instead of App._on_key, with the word
            await self.type_ahead.press(event)

    def on_mount(self) -> None:
        self.type_ahead.start()
        for problem in self._theme_problems:
            self.notify(problem, severity="warning", timeout=20, markup=False)
        if self._background is not None:
            self.run_worker(self._background(), group="background", exit_on_error=False)
        if self._create_hall is not None:
            from clerkdesk.screens.start.first_run import FirstRunScreen

            self.push_screen(FirstRunScreen(self._create_hall))
        elif self._auto is not None:
            self.push_screen(SigningInScreen(self._auto.staff_no, self.ws.server.label))
            self.auto_sign_in(self._auto)
        else:
            self.push_screen(SignInScreen(self.ws, self.settings.staff_no or ""))

    # --- moving between screens ----------------------------------------------------------------

    def _welcome(self, staff_no: str) -> None:
        """After any sign-in: remember who, and say once where the token is (not) kept."""
        self._remember_staff(staff_no)
        notice = self.ws.tokens.notice
        if notice and not self._notice_shown:
            self._notice_shown = True
            self.notify(notice, timeout=10)

    def on_signed_in(self, message: SignedIn) -> None:
        self._welcome(message.me.staff.staff_no)
        session = message.me.session
        if session is not None:
            self.switch_screen(self._counter(session.window))
        else:
            self.switch_screen(WindowPickerScreen(self.ws))

    def _counter(self, window: int) -> CounterScreen:
        return CounterScreen(self.ws, window, self._backoff, self.keymap)

    def on_window_taken(self, message: WindowTaken) -> None:
        self.switch_screen(self._counter(message.window))

    def on_window_left(self, message: WindowLeft) -> None:
        self._close_dialogs()  # a window taken over while a dialog was open on it
        self.switch_screen(WindowPickerScreen(self.ws, message.reason))

    def _close_dialogs(self) -> None:
        """Close the dialogs and the palette above the working screen, unanswered."""
        while isinstance(self.screen, ModalScreen) and len(self.screen_stack) > 1:
            self.pop_screen()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "duty_lead":
            return self._offers_duty_lead(self.screen)
        if action == "hall_monitor":
            return self._offers_monitor(self.screen)
        if action == "my_leave":
            return self._offers_my_leave(self.screen)
        if action == "hide_help_panel":  # Esc: else the key goes on to the screen
            return bool(self.screen.query("HelpPanel"))
        return True

    def _offers_duty_lead(self, screen: Screen[Any]) -> bool:
        """Leads only, from the counter or the picker."""
        return self.ws.may_decide and isinstance(screen, (CounterScreen, WindowPickerScreen))

    def action_duty_lead(self) -> None:
        from clerkdesk.screens.lead.screen import DutyLeadScreen

        screen = self.screen
        window = screen.model.window_number if isinstance(screen, CounterScreen) else None
        self.switch_screen(DutyLeadScreen(self.ws, window, self._backoff))

    def _offers_monitor(self, screen: Screen[Any]) -> bool:
        """Leads and admins, from the counter, the picker or the duty lead screen (not
        imported for this: a screen of a module not loaded yet is none of them)."""
        lead = sys.modules.get("clerkdesk.screens.lead.screen")
        places: tuple[type[Screen[Any]], ...] = (CounterScreen, WindowPickerScreen)
        if lead is not None:
            places += (lead.DutyLeadScreen,)
        return self.ws.may_decide and isinstance(screen, places)

    def action_hall_monitor(self) -> None:
        from clerkdesk.screens.lead.screen import DutyLeadScreen
        from clerkdesk.screens.monitor.screen import HallMonitorScreen

        screen = self.screen
        window = None
        if isinstance(screen, CounterScreen):
            window = screen.model.window_number
        elif isinstance(screen, DutyLeadScreen):
            window = screen.window
        self.switch_screen(HallMonitorScreen(self.ws, window, self._backoff))

    def _offers_my_leave(self, screen: Screen[Any]) -> bool:
        """Everyone signed in, from the counter, the picker or the duty lead's screen."""
        at_work = isinstance(screen, (CounterScreen, WindowPickerScreen)) or getattr(
            screen, "offers_my_leave", False
        )
        return self.ws.me is not None and bool(at_work)

    def action_my_leave(self) -> None:
        """My leave over the screen the person is on; Esc brings that screen back as it was."""
        from clerkdesk.screens.leave.screen import MyLeaveScreen

        screen = self.screen
        if isinstance(screen, CounterScreen):
            back = _("Counter")
        elif isinstance(screen, WindowPickerScreen):
            back = _("Windows")
        else:
            back = _("Duty lead")
        self.push_screen(MyLeaveScreen(self.ws, back, self._backoff))

    def switch_screen(self, screen: Screen[Any] | str) -> AwaitComplete:
        """Replace the screen the person works on. My leave (and its dialogs), pushed over it,
        goes with it: a sign-out or a lost window while it is open leaves no screen behind."""
        leave = sys.modules.get("clerkdesk.screens.leave.screen")  # None: never opened
        stack = self.screen_stack
        over = next(
            (
                i
                for i, s in enumerate(stack)
                if (leave and isinstance(s, leave.MyLeaveScreen))
                or getattr(s, "goes_with_the_screen_below", False)
            ),
            None,
        )
        if over is not None and screen not in stack:
            while len(self.screen_stack) > over:
                self.pop_screen()
        return super().switch_screen(screen)

    def on_back_from_duty_lead(self, message: BackFromDutyLead) -> None:
        if message.window is not None:
            self.switch_screen(self._counter(message.window))
        else:
            self.switch_screen(WindowPickerScreen(self.ws))

    def on_signed_out(self, message: SignedOut) -> None:
        staff_no = self.ws.staff_no or self.settings.staff_no or ""
        self.switch_screen(SignInScreen(self.ws, staff_no, message.reason or ""))

    def on_hall_created(self, message: HallCreated) -> None:
        self.auto_sign_in(AutoSignIn(message.staff_no, message.password, ()))

    def _remember_staff(self, staff_no: str) -> None:
        if not self._remember:
            return
        try:
            settings = load_settings()
            if settings.staff_no != staff_no:
                settings.staff_no = staff_no
                save_settings(settings)
        except (ConfigError, OSError) as exc:
            self.notify(str(exc), severity="error")

    @work(exclusive=True, group="auto-sign-in")
    async def auto_sign_in(self, auto: AutoSignIn) -> None:
        try:
            me = await self.ws.sign_in(auto.staff_no, auto.password)
            if me.session is None:
                windows = list(auto.windows) or [
                    x.number
                    for x in my_windows(await self.ws.client.windows(), me.staff.department)
                    if x.holder is None
                ]
                for window in windows:
                    try:
                        await self.ws.client.sign_in(window)
                    except Conflict:
                        continue
                    self._welcome(me.staff.staff_no)
                    self.switch_screen(self._counter(window))
                    return
        except HallClientError as exc:
            self.switch_screen(SignInScreen(self.ws, auto.staff_no, explain(exc)))
            return
        self.post_message(SignedIn(me))
