"""The embedded hall's first start: the first admin (also a clerk), a department and a window
with one service. Short on purpose: everything else comes later through a hall file."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Grid, Vertical
from textual.screen import Screen
from textual.widgets import Button, Footer, Input, Label, Static

from clerkdesk.i18n import N_, _
from clerkdesk.messages import HallCreated
from clerkdesk.screens.form_keys import FORM_KEYS
from clerkdesk.state.first_run import FirstRunAnswers, field_problems, problems

CreateHall = Callable[[FirstRunAnswers], None]

# What each field takes at all: other keys are not typed in (the rest is checked as typed).
RESTRICT: dict[str, tuple[str, int]] = {
    "staff-no": (r"[A-Za-z0-9_.\-]*", 32),
    "window": (r"[0-9]*", 4),
    "prefix": (r"[A-Za-z]*", 2),
}

# (input id, label, suggested value); labels and suggestions are translated when shown
FIELDS: tuple[tuple[str, str, str], ...] = (
    ("hall", N_("Hall name"), N_("Government Service Centre")),
    ("staff-no", N_("Your staff number"), "admin"),
    ("name", N_("Your name"), ""),
    ("password", N_("Password"), ""),
    ("password2", N_("Password again"), ""),
    ("department", N_("Department"), N_("General services")),
    ("window", N_("Window number"), "1"),
    ("service", N_("Service"), N_("General business")),
    ("prefix", N_("Ticket prefix"), "A"),
)


class FirstRunScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = FORM_KEYS  # see there: bursts of keys
    DEFAULT_CSS = """
    FirstRunScreen { align: center middle; }
    FirstRunScreen #first-run {
        width: 70; max-width: 100%; height: auto; padding: 0 2;
        background: $surface; border: round $primary;
    }
    FirstRunScreen Grid { grid-size: 2; grid-columns: 22 1fr; grid-rows: auto; height: auto; }
    FirstRunScreen .field-problem { column-span: 2; height: auto; padding-left: 22; }
    FirstRunScreen Button { margin-top: 1; width: 100%; }
    FirstRunScreen #message { height: auto; margin-top: 1; }
    """

    def __init__(self, create_hall: CreateHall) -> None:
        super().__init__()
        self._create = create_hall
        self._left: Input | None = None  # the field Enter moved away from last
        self._typed: set[str] = set()  # fields typed in: checked as they change

    def compose(self) -> ComposeResult:
        with Vertical(id="first-run"):
            yield Static(
                _("First start: set up this hall. You become its admin and its first clerk."),
                classes="title",
            )
            with Grid():
                for key, label, default in FIELDS:
                    restrict, longest = RESTRICT.get(key, (None, 200))
                    yield Label(_(label))
                    yield Input(
                        _(default) if default else "",
                        id=key,
                        compact=True,
                        password=key.startswith("password"),
                        restrict=restrict,
                        max_length=longest,
                    )
                    problem = Static("", id=f"{key}-problem", classes="field-problem refusal")
                    problem.display = False
                    yield problem
            yield Button(_("Create the hall"), id="create", variant="primary", compact=True)
            yield Static("", id="message", classes="refusal")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#first-run").border_title = "ClerkDesk"
        self.query_one(Input).focus()  # the first field, the hall's name

    def _value(self, key: str) -> str:
        return self.query_one(f"#{key}", Input).value

    def _answers(self) -> FirstRunAnswers:
        window = self._value("window").strip()
        return FirstRunAnswers(
            hall_name=self._value("hall"),
            staff_no=self._value("staff-no").strip(),
            name=self._value("name"),
            password=self._value("password"),
            department=self._value("department"),
            window=int(window) if window.isdigit() else 0,
            service=self._value("service"),
            prefix=self._value("prefix").strip().upper(),
        )

    def _show_problems(self, keys: set[str]) -> dict[str, str]:
        """Under each field of `keys`, what is wrong with it (nothing when it is right)."""
        found = field_problems(self._answers(), self._value("password2"))
        for key, _label, _default in FIELDS:
            if key in keys:
                line = self.query_one(f"#{key}-problem", Static)
                line.update(found.get(key, ""))
                line.display = key in found
        return found

    def on_input_changed(self, event: Input.Changed) -> None:
        """Each field is checked as it is typed (the repeated password with the first)."""
        key = event.input.id or ""
        if not event.input.has_focus and key not in self._typed:
            return  # filled in by the form itself, not typed
        self._typed.add(key)
        if key == "password" and self._value("password2"):
            self._typed.add("password2")
        self._show_problems(self._typed)

    def action_enter(self) -> None:
        """Enter moves to the next field at once and creates the hall from the button; the
        check waits until the field left last has taken the keys typed before the Enter."""
        focused = self.focused
        if isinstance(focused, Input):
            self._left = focused
            self.focus_next()
        elif isinstance(focused, Button):
            (self._left or self).call_later(self.submit)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.submit()

    def submit(self) -> None:
        answers = self._answers()
        self._typed = {key for key, _label, _default in FIELDS}
        found = self._show_problems(self._typed)
        if found:
            self.query_one("#message", Static).update(
                "\n".join(problems(answers, self._value("password2")))
            )
            return
        self.query_one("#message", Static).update(_("Creating the hall…"))
        self.create(answers)

    @work(exclusive=True)
    async def create(self, answers: FirstRunAnswers) -> None:
        try:
            await asyncio.to_thread(self._create, answers)
        except Exception as exc:  # the hall file refused it: show why, keep the form
            self.query_one("#message", Static).update(str(exc))
            return
        self.post_message(HallCreated(answers.staff_no, answers.password))
