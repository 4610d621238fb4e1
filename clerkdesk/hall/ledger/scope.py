"""Who may see whose leave and overtime, and who decides a claim or a leave request.

Everyone sees their own. A lead sees and decides for their department's staff (a lead without a
department: the whole hall); an admin for everyone. Nobody decides their own claim or request,
even holding the lead role. Staff outside one's scope are answered as not found.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from clerkdesk.hall.access import policy
from clerkdesk.hall.access.principal import Principal
from clerkdesk.hall.errors import Forbidden, NotFound
from clerkdesk.hall.store.models import Staff


def in_scope(who: Principal, staff: Staff) -> bool:
    """Whether `who` leads `staff` (admins: everyone)."""
    if policy.may(who, policy.Can.oversee_hall):
        return True
    return policy.may(who, policy.Can.oversee_department) and (
        who.department_id is None or staff.department_id == who.department_id
    )


def may_see(who: Principal, staff: Staff) -> bool:
    return staff.id == who.staff_id or in_scope(who, staff)


def require_decider(who: Principal, staff: Staff, what: str) -> None:
    policy.require(who, policy.Can.decide)
    if staff.id == who.staff_id:
        raise Forbidden(
            "own_request",
            f"This {what} is your own: another duty lead or an admin must decide it.",
        )
    if not in_scope(who, staff):
        raise Forbidden(
            "other_department",
            f"{staff.name} ({staff.staff_no}) is in another department: their own duty lead "
            f"decides this {what}.",
            staff_no=staff.staff_no,
        )


def visible_staff(session: Session, who: Principal, staff_no: str) -> Staff:
    """The staff member `staff_no`, when `who` may see them; else not found (no hint)."""
    staff = session.scalars(
        select(Staff).where(Staff.staff_no == staff_no, Staff.hall_id == who.hall_id)
    ).one_or_none()
    if staff is None or not may_see(who, staff):
        raise NotFound(
            "staff_not_found",
            f"No staff member {staff_no} among those you lead: check the staff number.",
            key=staff_no,
        )
    return staff
