"""Staff sign-in: argon2 password hashes, opaque bearer tokens stored hashed. Wrong passwords are
slowed down before they get here (`sign_in.py`, `throttle.py`)."""

from __future__ import annotations

import functools
import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Connection, Row, Select, bindparam, select
from sqlalchemy.orm import Session

from clerkdesk.api.schemas import Role
from clerkdesk.hall.calendar.store import sign_in_ends
from clerkdesk.hall.errors import NotSignedIn
from clerkdesk.hall.store import tables
from clerkdesk.hall.store.models import AuthToken, Hall, Staff

TOKEN_HOURS = 12

_hasher = PasswordHasher()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class Principal:
    """The signed-in staff member behind a request (what each role may do: `access.policy`)."""

    staff_id: int
    hall_id: int
    staff_no: str
    name: str
    department_id: int | None
    roles: frozenset[Role]
    token_expires_at: datetime


@functools.lru_cache(maxsize=256)
def parse_roles(text: str) -> frozenset[Role]:
    return frozenset(Role(r) for r in text.split(",") if r)


def token_expiry(now: datetime, working_day_end: datetime) -> datetime:
    """The end of the working day (local midnight, later for a night session: see
    `calendar.store.sign_in_ends`) or 12 hours from now, whichever comes first."""
    return min(now + timedelta(hours=TOKEN_HOURS), working_day_end.astimezone(now.tzinfo))


def stored_password_hash(session: Session, staff_no: str) -> str | None:
    """Read in its own short transaction: the slow argon2 check then runs outside any
    transaction, so sign-ins at the morning rush never hold the database."""
    return session.scalar(
        select(Staff.password_hash).where(Staff.staff_no == staff_no, Staff.active)
    )


def password_matches(password_hash: str | None, password: str) -> bool:
    """An unknown staff number costs the same argon2 check as a known one (no timing hint)."""
    global _unknown_staff_hash
    if password_hash is None:
        if _unknown_staff_hash is None:
            _unknown_staff_hash = _hasher.hash(secrets.token_urlsafe(12))
        verify_password(_unknown_staff_hash, password)
        return False
    return verify_password(password_hash, password)


_unknown_staff_hash: str | None = None


def login(session: Session, staff_no: str, now: datetime) -> tuple[str, Staff, datetime] | None:
    """Issue a token once `password_matches` said yes; None when the staff member is no longer
    active (deactivated since the password was read: the caller counts it as a wrong one)."""
    staff = session.scalars(select(Staff).where(Staff.staff_no == staff_no)).one_or_none()
    if staff is None or not staff.active:  # deactivated since the password was read
        return None
    hall = session.get_one(Hall, staff.hall_id)
    token = secrets.token_urlsafe(32)
    expires = token_expiry(now, sign_in_ends(session, hall.id, now))
    session.add(
        AuthToken(
            token_hash=token_digest(token), staff_id=staff.id, created_at=now, expires_at=expires
        )
    )
    return token, staff, expires


def principal_query() -> Select[Any]:
    """The token check as one Core statement (bind `token_hash`): the sign-in and its staff
    member. The write path adds its own columns and joins to it (the remembered answer)."""
    return (
        select(
            tables.auth_token.c.expires_at,
            tables.auth_token.c.revoked_at,
            tables.staff.c.id,
            tables.staff.c.hall_id,
            tables.staff.c.staff_no,
            tables.staff.c.name,
            tables.staff.c.department_id,
            tables.staff.c.roles,
            tables.staff.c.active,
        )
        .join_from(
            tables.auth_token, tables.staff, tables.staff.c.id == tables.auth_token.c.staff_id
        )
        .where(tables.auth_token.c.token_hash == bindparam("token_hash"))
    )


_BY_TOKEN = principal_query()

_token = tables.auth_token.alias("token_of")
_staff_of = tables.staff.alias("staff_of_token")
HALL_OF_TOKEN = (
    select(_staff_of.c.hall_id)
    .join_from(_token, _staff_of, _staff_of.c.id == _token.c.staff_id)
    .where(_token.c.token_hash == bindparam("token_hash"))
    .correlate(None)
    .scalar_subquery()
)
"""The hall of the token's staff member (bind `token_hash`), in place of a `hall_id` parameter
in a read sent ahead of the token check (`store.pipeline.send_ahead`): the read is only looked
at once the token is known good, and an unknown token finds no hall and no rows."""


def principal_from_row(row: Row[Any] | None, now: datetime) -> Principal:
    """Who is behind a row of `principal_query`, or the refusal. No cache: every request reads
    its token in its own transaction, so a sign-out or an expiry counts from the next request
    on, in every server process."""
    if row is None:
        raise NotSignedIn("token_unknown", "This sign-in is not known here: sign in again.")
    m = row._mapping
    if m["revoked_at"] is not None or m["expires_at"] <= now or not m["active"]:
        raise NotSignedIn("token_expired", "Your sign-in has ended: sign in again.")
    return Principal(
        staff_id=m["id"],
        hall_id=m["hall_id"],
        staff_no=m["staff_no"],
        name=m["name"],
        department_id=m["department_id"],
        roles=parse_roles(m["roles"]),
        token_expires_at=m["expires_at"],
    )


def authenticate(session: Session | Connection, token: str, now: datetime) -> Principal:
    conn = tables.connection_of(session) if isinstance(session, Session) else session
    row = conn.execute(_BY_TOKEN, {"token_hash": token_digest(token)}).first()
    return principal_from_row(row, now)


def logout(session: Session, token: str, now: datetime) -> None:
    """End the sign-in. Idempotent: a retry after a dropped answer finds it ended and is fine."""
    auth = session.scalars(
        select(AuthToken).where(AuthToken.token_hash == token_digest(token))
    ).one_or_none()
    if auth is None:
        raise NotSignedIn("token_unknown", "This sign-in is not known here: sign in again.")
    if auth.revoked_at is None:
        auth.revoked_at = now
