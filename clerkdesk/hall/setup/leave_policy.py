"""The `[leave]` section of the hall file: how overtime becomes comp leave (调休).

```toml
[leave]
rates = { workday = 1.0, rest_day = 1.0, statutory_holiday = 1.0 }  # 1.0 | 1.5 | 2.0 | 3.0
minimum_minutes = 0        # an entry below this credits nothing
unit_minutes = 15          # rounding unit
rounding = "floor"         # floor | nearest | ceil
hours_per_day = 8          # one leave day
expiry_months = 12         # a credit expires this long after its work date
monthly_cap_hours = 36     # caps on credited hours (excess recorded, not credited); leave out:
yearly_cap_hours = 300     #   no cap
balance_cap_hours = 80
```

Importing a policy that credits differently from the hall's current one stores it as a new
version; entries keep the version that credited them, so a change applies to new entries only.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlalchemy import select
from sqlalchemy.orm import Session

from clerkdesk.hall.rules.accrual import RATES_ALLOWED, LeavePolicy, Rounding
from clerkdesk.hall.store.models import Hall
from clerkdesk.hall.store.models.ledger import LeavePolicyVersion


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid")


class RatesSpec(_Spec):
    workday: float = 1.0
    rest_day: float = 1.0
    statutory_holiday: float = 1.0

    @field_validator("workday", "rest_day", "statutory_holiday")
    @classmethod
    def _lawful(cls, value: float) -> float:
        if round(value * 100) not in RATES_ALLOWED:
            raise ValueError("a rate is 1.0 (调休 1:1), 1.5, 2.0 or 3.0 (Labour Law art. 44)")
        return value


class LeaveSpec(_Spec):
    rates: RatesSpec = Field(default_factory=RatesSpec)
    minimum_minutes: int = Field(default=0, ge=0, le=480)
    unit_minutes: int = Field(default=15, ge=1, le=240)
    rounding: Rounding = Rounding.FLOOR
    hours_per_day: float = Field(default=8, gt=0, le=24)
    expiry_months: int = Field(default=12, ge=1, le=120)
    monthly_cap_hours: float | None = Field(default=None, ge=0, le=744)
    yearly_cap_hours: float | None = Field(default=None, ge=0, le=8784)
    balance_cap_hours: float | None = Field(default=None, ge=0, le=8784)

    def policy(self, version: int = 0) -> LeavePolicy:
        def minutes(hours: float | None) -> int | None:
            return None if hours is None else round(hours * 60)

        return LeavePolicy(
            version=version,
            rate_workday=round(self.rates.workday * 100),
            rate_rest_day=round(self.rates.rest_day * 100),
            rate_holiday=round(self.rates.statutory_holiday * 100),
            minimum_minutes=self.minimum_minutes,
            unit_minutes=self.unit_minutes,
            rounding=self.rounding,
            minutes_per_day=round(self.hours_per_day * 60),
            expiry_months=self.expiry_months,
            monthly_cap=minutes(self.monthly_cap_hours),
            yearly_cap=minutes(self.yearly_cap_hours),
            balance_cap=minutes(self.balance_cap_hours),
        )


def policy_of(row: LeavePolicyVersion | None) -> LeavePolicy:
    """The stored version as the rules take it; the defaults (version 0) when none is stored."""
    if row is None:
        return LeavePolicy()
    return LeavePolicy(
        version=row.version,
        rate_workday=row.rate_workday,
        rate_rest_day=row.rate_rest_day,
        rate_holiday=row.rate_holiday,
        minimum_minutes=row.minimum_minutes,
        unit_minutes=row.unit_minutes,
        rounding=Rounding(row.rounding),
        minutes_per_day=row.minutes_per_day,
        expiry_months=row.expiry_months,
        monthly_cap=row.monthly_cap,
        yearly_cap=row.yearly_cap,
        balance_cap=row.balance_cap,
    )


def current_policy_row(session: Session, hall_id: int) -> LeavePolicyVersion | None:
    return session.scalars(
        select(LeavePolicyVersion)
        .where(LeavePolicyVersion.hall_id == hall_id)
        .order_by(LeavePolicyVersion.version.desc())
        .limit(1)
    ).first()


def load_leave_policy(session: Session, hall_id: int) -> LeavePolicy:
    """The hall's current leave policy."""
    return policy_of(current_policy_row(session, hall_id))


def store_policy(session: Session, hall_id: int, wanted: LeavePolicy, now: datetime) -> int:
    """Make `wanted` the hall's policy: a new version when it credits differently; returns the
    version in force."""
    current = current_policy_row(session, hall_id)
    if policy_of(current).same_rules(wanted):
        return current.version if current is not None else 0
    version = (current.version if current is not None else 0) + 1
    session.add(
        LeavePolicyVersion(
            hall_id=hall_id,
            version=version,
            created_at=now,
            rate_workday=wanted.rate_workday,
            rate_rest_day=wanted.rate_rest_day,
            rate_holiday=wanted.rate_holiday,
            minimum_minutes=wanted.minimum_minutes,
            unit_minutes=wanted.unit_minutes,
            rounding=wanted.rounding.value,
            minutes_per_day=wanted.minutes_per_day,
            expiry_months=wanted.expiry_months,
            monthly_cap=wanted.monthly_cap,
            yearly_cap=wanted.yearly_cap,
            balance_cap=wanted.balance_cap,
        )
    )
    session.flush()
    return version


def import_leave_policy(session: Session, hall: Hall, spec: LeaveSpec, now: datetime) -> int:
    """The hall file's `[leave]`: stored as a new version when it changes anything."""
    return store_policy(session, hall.id, spec.policy(), now)
