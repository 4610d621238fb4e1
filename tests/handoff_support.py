"""What the hand-off tests share: the demo hall's extra people (a 税务 clerk, 市场监管's duty lead)
and a look at a ticket's recorded history."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from clerkdesk.api.client import HallClient
from clerkdesk.hall.store.engine import make_engine
from clerkdesk.hall.store.models import Department, HallPolicy, Staff, TicketTransition
from tests.conftest import RunningHall, signed_in

ZHAO_LI = ("1005", "赵丽", "shuiwu", "clerk")  # 税务, works at window 5
SUN_QIANG = ("2002", "孙强", "shichang", "clerk,lead")  # 市场监管's duty lead


def add_staff(hall: RunningHall, *people: tuple[str, str, str, str]) -> None:
    """People the demo hall does not have, with the demo password (李华's hash)."""
    engine = make_engine(hall.database_url)
    try:
        with Session(engine) as session, session.begin():
            li_hua = session.scalars(select(Staff).where(Staff.staff_no == "1001")).one()
            for staff_no, name, department, roles in people:
                dept = session.scalars(select(Department).where(Department.code == department))
                session.add(
                    Staff(
                        hall_id=li_hua.hall_id,
                        staff_no=staff_no,
                        name=name,
                        department_id=dept.one().id,
                        roles=roles,
                        password_hash=li_hua.password_hash,
                        failed_logins=0,
                        active=True,
                    )
                )
    finally:
        engine.dispose()


def set_policy(hall: RunningHall, **values: object) -> None:
    engine = make_engine(hall.database_url)
    try:
        with Session(engine) as session, session.begin():
            session.execute(update(HallPolicy).values(**values))
    finally:
        engine.dispose()


def history(hall: RunningHall, ticket_id: int) -> list[tuple[str, str | None, str]]:
    """The ticket's transitions as recorded: (action, from, to), in order."""
    engine = make_engine(hall.database_url)
    try:
        with Session(engine) as session:
            rows = session.scalars(
                select(TicketTransition)
                .where(TicketTransition.ticket_id == ticket_id)
                .order_by(TicketTransition.id)
            )
            return [(r.action, r.from_status, r.to_status) for r in rows]
    finally:
        engine.dispose()


async def at_window(hall: RunningHall, staff_no: str, window: int) -> HallClient:
    client = await signed_in(hall, staff_no)
    await client.sign_in(window)
    return client
