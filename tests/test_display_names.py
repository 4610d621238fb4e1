"""Every priority and status the hall can send has a name on the counter screen."""

from __future__ import annotations

import pytest

from clerkdesk.api.schemas import Priority, TicketStatus
from clerkdesk.i18n import current_language, set_language
from clerkdesk.state.display import priority_name, status_name


@pytest.mark.parametrize("priority", list(Priority))
def test_every_priority_has_a_chinese_name_unless_normal(priority: Priority) -> None:
    before = current_language()
    set_language("zh")
    try:
        name = priority_name(priority)
    finally:
        set_language(before)
    assert (name == "") == (priority == Priority.normal)


@pytest.mark.parametrize("status", list(TicketStatus))
def test_every_status_has_a_name(status: TicketStatus) -> None:
    assert status_name(status.value)
