"""Hand-offs (转办) at the counter: the helper the counter screen owns for handing a case off,
sending a handed-over case back, asking one's own case back, and the chain on the ticket card.

Each change goes through the screen's link to the hall (sent exactly once, its refusal in the
hand-off's words); the chain of a handed-over ticket is read (`GET /tickets/{id}`) in a worker
when it comes to the counter, and again when the hall says it moved.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from clerkdesk.api import schemas as w
from clerkdesk.api.client import HallClient
from clerkdesk.api.errors import ApiError, HallUnreachable
from clerkdesk.i18n import N_, _
from clerkdesk.screens.counter.handoff_dialog import BackToMeDialog, ChainDialog, HandOffDialog
from clerkdesk.screens.dialogs import Ask, ReasonDialog
from clerkdesk.state.actions import Answer, Intent
from clerkdesk.state.counter import CounterModel
from clerkdesk.state.handoff import (
    Names,
    SentHandOffs,
    Target,
    back_asked_text,
    chain_lines,
    compact_lines,
    explain_handoff,
    go_to_text,
    handed_over,
    open_move_row,
    sent_back_text,
    service_choices,
)
from clerkdesk.state.session import Workstation
from clerkdesk.widgets.handoff_chain import HandOffChain

if TYPE_CHECKING:
    from clerkdesk.screens.counter.screen import CounterScreen

HANDOFF_ACTIONS = frozenset({"hand_off", "send_back", "back_to_me", "show_chain"})


def hand_off(
    ticket: w.TicketOut,
    target: Target,
    sent: Callable[[w.HandOffOut], None],
    names: Names | None = None,
) -> Intent:
    moved: list[w.HandOffOut] = []

    async def send(c: HallClient, k: str) -> Answer:
        answer = await c.hand_off(
            ticket.id,
            target.note,
            service=target.service,
            window=target.window,
            staff_no=target.staff_no,
            key=k,
        )
        moved.append(answer.handoff)
        sent(answer.handoff)
        return answer.ticket  # the counter applies it: the window is free at once

    return Intent(
        N_("Hand off"), send, lambda a: go_to_text(moved[-1], names), explain=explain_handoff
    )


def send_back(ticket: w.TicketOut, reason: str) -> Intent:
    moved: list[w.HandOffOut] = []

    async def send(c: HallClient, k: str) -> Answer:
        answer = await c.send_back(ticket.id, reason, key=k)
        moved.append(answer.handoff)
        return answer.ticket

    return Intent(
        N_("Send back"), send, lambda a: sent_back_text(moved[-1]), explain=explain_handoff
    )


def back_to_me(move: w.HandOffOut, asked: Callable[[w.HandOffOut], None]) -> Intent:
    async def send(c: HallClient, k: str) -> Answer:
        answer = await c.back_to_me(move.ticket_id, key=k)
        asked(answer.handoff)
        return answer.ticket

    return Intent(N_("Back to me"), send, lambda a: back_asked_text(move), explain=explain_handoff)


class CounterHandOffs:
    """What the counter knows about hand-offs: the hall's names (read once), the chain of the
    ticket at hand (when it was handed over), and the cases this clerk sent."""

    def __init__(
        self, screen: CounterScreen, ws: Workstation, model: CounterModel, chain_keys: str
    ) -> None:
        self.screen, self.ws, self.model = screen, ws, model
        self.chain_keys = chain_keys  # the key to the whole chain, as the card names it
        self.names: Names | None = None
        self._hall: w.HallOut | None = None  # the services to hand to, read at the first h
        self.detail: w.TicketDetail | None = None
        self._read_for: tuple[int, int] | None = None  # (ticket id, its hand-offs) read or asked
        self._read_at = ws.clock.now()
        self.sent = SentHandOffs(ws.staff_no)

    # --- what is offered ---------------------------------------------------------------------

    def offers(self, action: str) -> bool:
        """The hand-off actions' own conditions, on top of the ticket's state (`applies`)."""
        if action in ("send_back", "show_chain"):
            return handed_over(self.model.current)
        if action == "back_to_me":
            return self.sent.last_open() is not None
        return True

    # --- the card ------------------------------------------------------------------------------

    def render(self) -> None:
        """The chain under the ticket at hand; read it when a handed-over ticket arrives."""
        current = self.model.current
        chain = self.screen.query_one(HandOffChain)
        if not handed_over(current):
            chain.show([])
            return
        assert current is not None
        wanted = (current.id, current.handoffs)
        if self._read_for != wanted:
            self._read_for = wanted
            self.screen.run_worker(self._read(current.id), group="handoff-chain", exclusive=True)
        detail = self.detail
        if detail is None or detail.id != current.id or self.names is None:
            chain.show([])
            return
        shown = self._with_time(detail)
        zone = self.ws.zone
        if chain.full():
            chain.show(chain_lines(shown, self.names, zone))
        else:
            chain.show(compact_lines(shown, self.names, zone, self.chain_keys), compact=True)

    def _with_time(self, detail: w.TicketDetail) -> w.TicketDetail:
        """The time in the hall goes on between reads (the hall's clock on this screen)."""
        if detail.finished_at is not None:
            return detail
        passed = max(0, int((self.ws.clock.now() - self._read_at).total_seconds()))
        return detail.model_copy(update={"seconds_in_hall": detail.seconds_in_hall + passed})

    async def _read(self, ticket_id: int) -> None:
        try:
            if self.names is None:
                self._hall = await self.ws.client.hall()
                self.names = Names.of(self._hall)
            detail = await self.ws.client.ticket(ticket_id)
        except HallUnreachable as exc:
            self._read_for = None  # read again once back
            self.screen.link.lost(exc.reason)
            return
        except ApiError:
            return  # the card shows the ticket without its chain; the next move reads again
        self.detail, self._read_at = detail, self.ws.clock.now()
        if not self.screen.gone:
            self.render()

    def read_sent(self) -> None:
        """The cases this clerk handed off today, from the hall: a restarted workstation can
        still ask them back (read when the counter starts following the hall, and again on
        each reconnect)."""
        self.screen.run_worker(self._read_sent(), group="handoffs-sent", exclusive=True)

    async def _read_sent(self) -> None:
        try:
            mine = await self.ws.client.my_hand_offs()
        except (HallUnreachable, ApiError):
            return  # the stream's reconnect reads it again; the hall decides anyway
        self.sent.load(mine)
        if mine.sent and self.names is None:  # to name the services when asked which
            try:
                self._hall = await self.ws.client.hall()
            except (HallUnreachable, ApiError):
                pass  # named by their codes meanwhile
            else:
                self.names = Names.of(self._hall)
        if not self.screen.gone:
            self.screen.refresh_bindings()

    def heard(self, event: w.EventOut) -> None:
        """A hand-off event: one of my cases moved (kept for back-to-me); the ticket at hand
        moved (its chain is read again)."""
        if self.screen.gone:
            return
        if event.kind == w.EventKind.hall_updated:
            self._hall = self.names = None  # an admin changed the hall: read it again
        if self.sent.heard(event):
            self.screen.refresh_bindings()
        current = self.model.current
        moved = event.handoff
        if moved is not None and current is not None and moved.ticket_id == current.id:
            self._read_for = None
            self.render()

    # --- the clerk's actions -------------------------------------------------------------------

    def ask_hand_off(self) -> None:
        """The dialog at once when the hall's services were read before (keys typed after h
        then reach it), else once they are read; the hall decides anyway."""
        if self._hall is not None:
            self._open_dialog(self._hall)
        else:
            self.screen.run_worker(self._ask_hand_off(), group="handoff", exclusive=True)

    async def _ask_hand_off(self) -> None:
        try:
            hall = await self.ws.client.hall()
        except HallUnreachable as exc:
            self.screen.link.lost(exc.reason)
            return
        except ApiError as exc:
            self.screen.say(explain_handoff(exc, self.ws.zone) or exc.message, error=True)
            return
        self._hall, self.names = hall, Names.of(hall)
        if not self.screen.gone:
            self._open_dialog(hall)

    def _open_dialog(self, hall: w.HallOut) -> None:
        ticket = self.model.current
        if ticket is None:
            return
        window = self.model.window
        choices = service_choices(hall, window.department if window else None)
        names = Names.of(hall)

        def then(target: Target | None) -> Intent | None:
            return None if target is None else hand_off(ticket, target, self.sent.sent, names)

        self.screen._ask(Ask(HandOffDialog(ticket.code, choices), then))

    def ask_send_back(self) -> None:
        ticket = self.model.current
        if ticket is None:
            return
        last = self.detail.chain[-1] if self.detail and self.detail.id == ticket.id else None
        if last is not None and last.from_window is not None:
            question = _("Send {ticket} back to window {n}: why?").format(
                ticket=ticket.code, n=last.from_window
            )
        else:
            question = _("Send {ticket} back to its sender: why?").format(ticket=ticket.code)

        def then(reason: str | None) -> Intent | None:
            return send_back(ticket, reason) if reason else None

        self.screen._ask(Ask(ReasonDialog(question), then))

    def ask_back(self) -> None:
        """The last case handed off is asked back at once; with several away, which one."""
        moves = self.sent.open_moves()
        if not moves:
            self.screen.say(_("None of your hand-offs is open: nothing to ask back."), error=True)
            return
        if len(moves) == 1:
            self.screen.link.send_once(back_to_me(moves[0], self.sent.sent))
            return
        by_id = {m.id: m for m in moves}
        rows = [(m.id, open_move_row(m, self.names, self.ws.zone)) for m in moves]

        def then(move_id: int | None) -> Intent | None:
            move = by_id.get(move_id) if move_id is not None else None
            return None if move is None else back_to_me(move, self.sent.sent)

        self.screen._ask(Ask(BackToMeDialog(rows), then))

    def show_chain(self) -> None:
        detail = self.detail
        current = self.model.current
        if detail is None or current is None or detail.id != current.id or self.names is None:
            self.screen.say(_("The chain is still being read: try again in a moment."))
            return
        lines = chain_lines(self._with_time(detail), self.names, self.ws.zone)
        self.screen.app.push_screen(ChainDialog(lines))
