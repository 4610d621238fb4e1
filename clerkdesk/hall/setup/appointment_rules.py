"""The hall file's appointments (预约): the hall's `[appointments]` check-in rules, and each
service's slots (`appointments = { ... }` on a service).

```toml
[appointments]
check_in_early_minutes = 30   # the kiosk checks a booking in from this long before its slot
grace_minutes = 10            # ... until this long after the slot starts; then it is missed
days_ahead = 14               # bookable up to this many days ahead

[[services]]
code = "bdc-transfer"
# ...
appointments = { slot_minutes = 30, capacity = 2, sessions = ["ordinary", "weekend", "holiday"] }
```

A service without `appointments` takes none. Importing replaces every service's rule.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from clerkdesk.hall.rules.appointments import SESSION_KINDS
from clerkdesk.hall.store.models import AppointmentPolicy, AppointmentRule, Hall, Service


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ServiceAppointmentSpec(_Spec):
    slot_minutes: int = Field(default=30, ge=5, le=480)
    capacity: int = Field(default=1, ge=1, le=1000)
    sessions: list[str] = Field(
        default_factory=lambda: ["weekend", "holiday"],
        min_length=1,
        description="ordinary (workdays), weekend (rest-day duty), holiday (holiday duty)",
    )

    @field_validator("sessions")
    @classmethod
    def _known_kinds(cls, value: list[str]) -> list[str]:
        unknown = [kind for kind in value if kind not in SESSION_KINDS]
        if unknown:
            raise ValueError(
                f"unknown session kind {unknown[0]!r}: use ordinary, weekend or holiday"
            )
        return value


class AppointmentsSpec(_Spec):
    check_in_early_minutes: int = Field(default=30, ge=0, le=240)
    grace_minutes: int = Field(default=10, ge=0, le=120)
    days_ahead: int = Field(default=14, ge=0, le=90)


def import_appointments(
    session: Session,
    hall: Hall,
    spec: AppointmentsSpec,
    rules: dict[str, ServiceAppointmentSpec | None],
    services: dict[str, Service],
) -> None:
    """Set the hall's check-in rules and replace every service's slot rule."""
    hall_policy = session.get(AppointmentPolicy, hall.id) or AppointmentPolicy(hall_id=hall.id)
    hall_policy.early_minutes = spec.check_in_early_minutes
    hall_policy.grace_minutes = spec.grace_minutes
    hall_policy.days_ahead = spec.days_ahead
    session.add(hall_policy)
    ids = list(session.scalars(select(Service.id).where(Service.hall_id == hall.id)))
    session.execute(delete(AppointmentRule).where(AppointmentRule.service_id.in_(ids)))
    for code, rule in rules.items():
        if rule is None:
            continue
        session.add(
            AppointmentRule(
                service_id=services[code].id,
                slot_minutes=rule.slot_minutes,
                capacity=rule.capacity,
                sessions=",".join(k for k in SESSION_KINDS if k in rule.sessions),
            )
        )
    session.flush()
