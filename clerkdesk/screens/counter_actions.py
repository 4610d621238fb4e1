"""The counter's actions: each asks what it needs (a dialog), then sends one intent."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from clerkdesk.api import schemas as w
from clerkdesk.i18n import N_, _
from clerkdesk.messages import WindowLeft
from clerkdesk.screens.dialogs import ReasonDialog
from clerkdesk.screens.ticket_dialogs import CallTicketDialog, OutcomeDialog, ParkDialog
from clerkdesk.workstation.actions import LEAVE, Answer, Done, Send

if TYPE_CHECKING:
    from clerkdesk.workstation.session import Workstation
    from clerkdesk.workstation.state import CounterModel


def _code(answer: Answer) -> str:
    return answer.code if isinstance(answer, w.TicketOut) else ""


class CounterActions:
    """Mixed into CounterScreen, which provides `model`, `ws`, `app` and `send`."""

    if TYPE_CHECKING:
        model: CounterModel
        ws: Workstation
        app: Any

        def send(self, label: str, send: Send, done: Done) -> None: ...

    @property
    def _window(self) -> int:
        return self.model.window_number

    def _ticket(self) -> w.TicketOut:
        assert self.model.current is not None  # the action is offered only with a ticket
        return self.model.current

    def action_call_next(self) -> None:
        window = self._window
        self.send(
            N_("Call next"),
            lambda c, k: c.call_next(window, key=k),
            lambda a: _("Called {ticket}.").format(ticket=_code(a)),
        )

    def action_call_ticket(self, code: str = "") -> None:
        window = self._window

        def chosen(answer: tuple[str, str] | None) -> None:
            if answer is not None:
                self.send(
                    N_("Call ticket"),
                    lambda c, k: c.call_ticket(window, answer[0], answer[1], key=k),
                    lambda a: _("Called {ticket}.").format(ticket=_code(a)),
                )

        self.app.push_screen(CallTicketDialog(code), chosen)

    def action_recall(self) -> None:
        ticket = self._ticket()
        self.send(
            N_("Recall"),
            lambda c, k: c.recall(ticket.id, key=k),
            lambda a: _("Recalled {ticket}.").format(ticket=_code(a)),
        )

    def action_start(self) -> None:
        ticket = self._ticket()
        self.send(
            N_("Start"),
            lambda c, k: c.start(ticket.id, key=k),
            lambda a: _("Serving {ticket}.").format(ticket=_code(a)),
        )

    def action_complete(self) -> None:
        ticket = self._ticket()

        def chosen(outcome: w.Outcome | None) -> None:
            if outcome is not None:
                self.send(
                    N_("Complete"),
                    lambda c, k: c.complete(ticket.id, outcome, key=k),
                    lambda a: _("{ticket} completed.").format(ticket=_code(a)),
                )

        self.app.push_screen(OutcomeDialog(ticket.code), chosen)

    def action_no_show(self) -> None:
        ticket = self._ticket()

        def chosen(reason: str | None) -> None:
            if reason:
                self.send(
                    N_("No-show"),
                    lambda c, k: c.no_show(ticket.id, reason, key=k),
                    lambda a: _("{ticket} marked a no-show.").format(ticket=_code(a)),
                )

        question = _("{ticket} did not come: why?").format(ticket=ticket.code)
        self.app.push_screen(ReasonDialog(question, _("Called three times, did not come")), chosen)

    def action_park(self) -> None:
        ticket = self._ticket()

        def chosen(answer: tuple[w.QueuePosition, str] | None) -> None:
            if answer is not None:
                self.send(
                    N_("Park"),
                    lambda c, k: c.park(ticket.id, answer[0], answer[1], key=k),
                    lambda a: _("{ticket} is back in the queue.").format(ticket=_code(a)),
                )

        self.app.push_screen(ParkDialog(ticket.code), chosen)

    def action_pause(self) -> None:
        window = self._window
        self.send(
            N_("Pause"),
            lambda c, k: c.pause(window, key=k),
            lambda a: _("Window paused: nobody is called until you resume."),
        )

    def action_resume(self) -> None:
        window = self._window
        self.send(
            N_("Resume"),
            lambda c, k: c.resume(window, key=k),
            lambda a: _("Window open again."),
        )

    def action_leave(self) -> None:
        window = self._window
        if not self.model.held_by_me:
            self.app.post_message(WindowLeft())
            return
        self.send(
            LEAVE,
            lambda c, k: c.sign_out(window, key=k),
            lambda a: _("Signed out of window {n}.").format(n=window),
        )
