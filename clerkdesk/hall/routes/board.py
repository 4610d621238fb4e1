"""The hall board (叫号屏): what the TV over the counters starts from."""

from __future__ import annotations

from clerkdesk.api import board_schemas as bw
from clerkdesk.hall.monitor.board import hall_board
from clerkdesk.hall.routes.deps import HallDep, TokenDep
from clerkdesk.hall.routes.table import RouteTable

router = RouteTable(tags=["board"])


@router.get("/board", response_model=bw.BoardOut)
def board(hall: HallDep, token: TokenDep) -> bw.BoardOut:
    """The latest calls, citizens waiting per service, today's hours and the closing notice of
    an approved extension, as of `last_event_id` (then follow GET /events after it). Any
    signed-in caller: ticket numbers, services, windows and counts only."""
    return hall.read(token, hall_board)
