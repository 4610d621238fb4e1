"""The duty lead's inbox of overtime claims and leave requests, kept without Textual: what waits
for a decision (oldest first), each requester's current balance beside it (GET
/staff/{no}/leave: a lead sees their department's staff, an admin everyone), which hall events
mean "read it again", and the lead's decisions on them, each sent exactly once.

Nobody decides their own claim or request: the hall refuses, and the screen shows its message.
As on the lead's desk (clerkdesk.state.lead), a read that began before the answer to one of the
lead's own decisions is stale and is dropped.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from clerkdesk.api import ledger_schemas as lw
from clerkdesk.api import schemas as w
from clerkdesk.api.client import new_key
from clerkdesk.api.errors import Forbidden, NotFound
from clerkdesk.api.ledger import LedgerClient

Item = lw.ClaimOut | lw.LeaveRequestOut

READS = frozenset(
    {
        *w.LEDGER_EVENT_KINDS,  # a requester's balance moved
        w.EventKind.hall_updated,
        w.EventKind.reset,
    }
)


def key_of(item: Item) -> str:
    """The item's key in the inbox: "claim:3", "leave:5"."""
    return f"{'claim' if isinstance(item, lw.ClaimOut) else 'leave'}:{item.id}"


@dataclass
class LeaveDecision:
    """One decision on a claim or a leave request. Its Idempotency-Key is made once and kept
    until the hall answers, so sending it again after a dropped connection decides only once."""

    label: str  # N_-marked
    send: Callable[[LedgerClient, str], Awaitable[Item]]
    done: Callable[[Item], str]  # the line to show once the hall has answered
    key: str = field(default_factory=new_key)


@dataclass
class LeaveInbox:
    staff_no: str
    claims: list[lw.ClaimOut] = field(default_factory=list)  # pending
    requests: list[lw.LeaveRequestOut] = field(default_factory=list)  # pending
    balances: dict[str, lw.LeaveBalanceOut] = field(default_factory=dict)  # by staff number
    loaded: bool = False
    answers: int = 0  # decision answers applied: a read's freshness stamp

    @property
    def items(self) -> list[Item]:
        """Everything waiting, oldest first."""
        both: list[Item] = [*self.claims, *self.requests]
        return sorted(both, key=lambda x: (x.requested_at, key_of(x)))

    def load(
        self, claims: list[lw.ClaimOut], requests: list[lw.LeaveRequestOut], stamp: int
    ) -> bool:
        """Pending claims and requests; False (nothing changed) if the read was stale."""
        if stamp < self.answers:
            return False
        pending = lw.DecisionStatus.pending
        self.claims = [c for c in claims if c.status == pending]
        self.requests = [r for r in requests if r.status == pending]
        self.loaded = True
        return True

    def requesters(self) -> list[str]:
        """Whose balances to show, in the inbox's order."""
        return list(dict.fromkeys(x.staff.staff_no for x in self.items))

    def load_balance(self, balance: lw.LeaveBalanceOut) -> None:
        self.balances[balance.staff.staff_no] = balance

    def balance_of(self, item: Item) -> lw.LeaveBalanceOut | None:
        return self.balances.get(item.staff.staff_no)

    def find(self, key: str | None) -> Item | None:
        return next((x for x in self.items if key_of(x) == key), None)

    def is_mine(self, item: Item) -> bool:
        return item.staff.staff_no == self.staff_no

    def apply(self, answer: Item) -> None:
        """The answer to the lead's own decision, shown at once (before the next read)."""
        self.answers += 1
        if isinstance(answer, lw.ClaimOut):
            self.claims = [c for c in self.claims if c.id != answer.id]
        else:
            self.requests = [r for r in self.requests if r.id != answer.id]

    async def read(self, ledger: LedgerClient, loaded: Callable[[], None]) -> bool:
        """Pending claims and leave requests (then `loaded()`), and each requester's balance;
        False if the read was stale. A balance the hall does not show this lead stays out."""
        stamp, pending = self.answers, lw.DecisionStatus.pending
        claims = await ledger.claims(pending)
        requests = await ledger.leave_requests(pending)
        if not self.load(claims, requests, stamp):
            return False
        loaded()
        for staff_no in self.requesters():
            try:
                self.load_balance(await ledger.staff_leave(staff_no))
            except (NotFound, Forbidden):
                continue
        return True

    @staticmethod
    def reads_for(event: w.EventOut) -> bool:
        return event.kind in READS
