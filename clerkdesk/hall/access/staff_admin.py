"""What an admin does to a staff member's access: set a new password, deactivate. Either ends
every sign-in (token) the person holds: a token taken before the change must not outlive it,
on this workstation or on one left open elsewhere."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from clerkdesk.hall.access.principal import hash_password, verify_password
from clerkdesk.hall.store.models import AuthToken, Staff

MIN_PASSWORD_LENGTH = 4


class UnknownStaff(LookupError):
    def __init__(self, staff_no: str) -> None:
        super().__init__(f"no staff number {staff_no}")
        self.staff_no = staff_no


class PasswordTooShort(ValueError):
    def __init__(self) -> None:
        super().__init__(f"a password needs at least {MIN_PASSWORD_LENGTH} characters")


def end_sign_ins(session: Session, staff_id: int, now: datetime) -> int:
    """End every sign-in of the staff member still open; how many there were."""
    ended = session.execute(
        update(AuthToken)
        .where(AuthToken.staff_id == staff_id, AuthToken.revoked_at.is_(None))
        .values(revoked_at=now)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(ended, "rowcount", 0) or 0)


def set_password(session: Session, staff_no: str, password: str, now: datetime) -> int:
    """A new password (argon2: call it outside an event loop), the lockout lifted, and every
    sign-in the person holds ended; returns how many were ended."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise PasswordTooShort()
    staff = session.scalars(select(Staff).where(Staff.staff_no == staff_no)).one_or_none()
    if staff is None:
        raise UnknownStaff(staff_no)
    give_password(staff, password)
    session.flush()
    return end_sign_ins(session, staff.id, now)


def give_password(staff: Staff, password: str) -> None:
    staff.password_hash = hash_password(password)
    staff.failed_logins = 0
    staff.locked_until = None


def change_password_if_new(session: Session, staff: Staff, password: str, now: datetime) -> bool:
    """A hall file that repeats a staff member's password changes nothing (their sign-ins go
    on); a different one is set and ends them. True when it was new."""
    if staff.password_hash and verify_password(staff.password_hash, password):
        return False
    give_password(staff, password)
    if staff.id is not None:
        session.flush()
        end_sign_ins(session, staff.id, now)
    return True


def deactivate(session: Session, staff: Staff, now: datetime) -> None:
    """The person can no longer sign in, and every sign-in they hold ends now (it stays ended
    if a later import lists them again). Never deleted: their history points at them."""
    staff.active = False
    session.flush()
    end_sign_ins(session, staff.id, now)
