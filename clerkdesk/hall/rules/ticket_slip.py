"""What a citizen's ticket tells them, as pure rules: how many are ahead of it, and the
unguessable token of its status link (the QR code on the printed ticket). No I/O; the time and
the hall's key are parameters.

**People ahead.** The waiting tickets of the same service that its windows call before this
one: a stronger priority class (`queue_order.effective_rank`), or the same class and an earlier
place in the queue. A window serving several services interleaves them by its own order, so
for a citizen at a 综合受理 window the count is the service's queue, the figure the kiosk and
the board show beside it.

**Status link.** `/t/{token}` where the token is the ticket's id and an HMAC of it under the
hall's own key (`hall.status_key`): whoever holds the printed ticket can follow it; nobody can
make the token of another ticket (96 bits of MAC). It names no person and carries no notes.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from collections.abc import Iterable
from datetime import datetime

from clerkdesk.hall.rules.queue_order import Waiting, effective_rank

TOKEN = re.compile(r"^([1-9][0-9]{0,14})-([A-Za-z0-9_-]{16})$")
"""A status token: the ticket's id, a dash, 16 characters of URL-safe base64 (12 bytes)."""
STATUS_PATH = "/t/{token}"


def people_ahead(mine: Waiting, waiting: Iterable[Waiting], now: datetime) -> int:
    """How many of `waiting` (the service's waiting tickets) come before `mine`."""
    me = (effective_rank(mine, now), mine.queue_at, mine.ticket_id)
    return sum(
        1
        for other in waiting
        if other.ticket_id != mine.ticket_id
        and other.service_id == mine.service_id
        and (effective_rank(other, now), other.queue_at, other.ticket_id) < me
    )


def _mac(key: str, ticket_id: int) -> str:
    digest = hmac.new(key.encode(), f"ticket-status:{ticket_id}".encode(), hashlib.sha256)
    return base64.urlsafe_b64encode(digest.digest()[:12]).decode()


def status_token(key: str, ticket_id: int) -> str:
    return f"{ticket_id}-{_mac(key, ticket_id)}"


def ticket_id_of(token: str) -> int | None:
    """The ticket id a well-formed token names (not yet checked against a key); None else."""
    found = TOKEN.match(token)
    return int(found.group(1)) if found else None


def token_matches(key: str, token: str) -> bool:
    """The token was made with `key` (compared in constant time)."""
    ticket_id = ticket_id_of(token)
    if ticket_id is None:
        return False
    return hmac.compare_digest(token.encode(), status_token(key, ticket_id).encode())
