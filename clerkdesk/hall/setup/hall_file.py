"""`clerkdesk admin import HALL.toml`: load or update a whole hall from one file.

Departments, services, windows and staff are matched by their codes and numbers: what is in the
file is created or updated, what is no longer in it is deactivated (never deleted: tickets and
sessions keep pointing at it). Passwords are set only when the file gives one; a new staff member
without one gets a random first password, reported once.
"""

from __future__ import annotations

import secrets
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    field_validator,
)
from sqlalchemy import select
from sqlalchemy.orm import Session

from clerkdesk.api import schemas as w
from clerkdesk.api.schemas import Role
from clerkdesk.hall.access import staff_admin
from clerkdesk.hall.calendar.file import CalendarSpec, import_calendar
from clerkdesk.hall.events.log import append_event
from clerkdesk.hall.setup.appointment_rules import (
    AppointmentsSpec,
    ServiceAppointmentSpec,
    import_appointments,
)
from clerkdesk.hall.setup.leave_policy import LeaveSpec, import_leave_policy
from clerkdesk.hall.store.models import (
    Department,
    Hall,
    HallPolicy,
    Service,
    ServiceAlertRule,
    Staff,
    Window,
    WindowService,
)

Code = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.-]{1,32}$")]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid")


class HallSpec(_Spec):
    code: Code
    name: Name
    timezone: str = "Asia/Shanghai"
    min_call_interval_s: int = Field(default=3, ge=0, le=600)

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"unknown time zone {value!r}; use an IANA name like Asia/Shanghai"
            ) from None
        return value


class DepartmentSpec(_Spec):
    code: Code
    name: Name


class AlertSpec(_Spec):
    """When a service's queue is congested (issue 13): an alert is raised when any given
    threshold is reached, and cleared only when every one is below `clear_percent` % of it."""

    waiting: int | None = Field(default=None, ge=1, le=100_000)
    longest_wait_minutes: int | None = Field(default=None, ge=1, le=24 * 60)
    estimated_wait_minutes: int | None = Field(default=None, ge=1, le=24 * 60)
    clear_percent: int = Field(default=80, ge=10, le=100)


class MonitorSpec(_Spec):
    """The `[monitor]` section: congestion thresholds for every service without its own."""

    alert: AlertSpec = Field(default_factory=AlertSpec)


class ServiceSpec(_Spec):
    code: Code
    name: Name
    department: Code
    prefix: Annotated[str, StringConstraints(pattern=r"^[A-Z]{1,2}$")]
    estimated_minutes: int = Field(default=10, ge=1, le=480)
    cutoff_minutes: int | None = Field(
        default=None, ge=0, le=480, description="Stop issuing this long before closing"
    )
    alert: AlertSpec | None = Field(
        default=None, description="Congestion thresholds; None: the [monitor] section's"
    )
    appointments: ServiceAppointmentSpec | None = Field(
        default=None, description="Slots for appointments (预约); None: it takes none"
    )


class WindowSpec(_Spec):
    number: int = Field(ge=1, le=9999)
    label: Name
    department: Code | None = None
    services: list[Code] = Field(min_length=1)
    reserve: bool = Field(default=False, description="Staffed only as a tide window (潮汐窗口)")


class StaffSpec(_Spec):
    staff_no: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.-]{1,32}$")]
    name: Name
    department: Code | None = None
    roles: list[Role] = Field(default_factory=lambda: [Role.clerk], min_length=1)
    password: str | None = Field(default=None, min_length=4, max_length=256)


class PolicySpec(_Spec):
    """The hall's counter policy (rules.counter_policy): when a no-show may be marked, and for
    how long a no-show may be reinstated when the citizen comes back."""

    no_show_min_recalls: int = Field(default=1, ge=0, le=10)
    no_show_min_seconds: int = Field(default=60, ge=0, le=3600)
    reinstate_minutes: int = Field(default=30, ge=0, le=24 * 60)
    handoff_placement: Literal["front", "issue_time"] = "front"
    """Where a handed-off ticket enters the target queue (rules.handoffs.Placement)."""
    handoff_flag_after: int = Field(default=3, ge=1, le=50)
    """A ticket handed on more than this many times is flagged to the duty lead."""
    handoff_arrival_minutes: int = Field(default=10, ge=0, le=120)
    """A service opening within this many minutes may receive a hand-off now."""


class HallFile(_Spec):
    hall: HallSpec
    departments: list[DepartmentSpec] = Field(default_factory=list)
    services: list[ServiceSpec] = Field(default_factory=list)
    windows: list[WindowSpec] = Field(default_factory=list)
    staff: list[StaffSpec] = Field(default_factory=list)
    calendar: CalendarSpec = Field(default_factory=CalendarSpec)
    leave: LeaveSpec = Field(default_factory=LeaveSpec)
    policy: PolicySpec = Field(default_factory=PolicySpec)
    monitor: MonitorSpec = Field(default_factory=MonitorSpec)
    appointments: AppointmentsSpec = Field(default_factory=AppointmentsSpec)


class HallFileError(ValueError):
    """The hall file is not usable; the message lists every problem and where it is."""


@dataclass
class ImportReport:
    hall: str
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    deactivated: list[str] = field(default_factory=list)
    first_passwords: dict[str, str] = field(default_factory=dict)


def load_hall_file(path: Path) -> HallFile:
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise HallFileError(f"{path}: no such file") from None
    except tomllib.TOMLDecodeError as exc:
        raise HallFileError(f"{path}: not valid TOML ({exc})") from None
    return parse_hall(raw, str(path))


def parse_hall(raw: dict[str, object], source: str = "hall file") -> HallFile:
    try:
        spec = HallFile.model_validate(raw)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors()
        )
        raise HallFileError(f"{source}: {problems}") from None
    _check_references(spec, source)
    return spec


def _duplicates(values: Sequence[object]) -> set[object]:
    seen: set[object] = set()
    return {v for v in values if v in seen or seen.add(v)}  # type: ignore[func-returns-value]


def _check_references(spec: HallFile, source: str) -> None:
    problems: list[str] = []
    departments = {d.code for d in spec.departments}
    services = {s.code for s in spec.services}
    for label, values in (
        ("department code", [d.code for d in spec.departments]),
        ("service code", [s.code for s in spec.services]),
        ("ticket prefix", [s.prefix for s in spec.services]),
        ("window number", [win.number for win in spec.windows]),
        ("staff number", [s.staff_no for s in spec.staff]),
    ):
        problems += [
            f"{label} {dup} appears twice" for dup in sorted(map(str, _duplicates(values)))
        ]
    for s in spec.services:
        if s.department not in departments:
            problems.append(f"service {s.code}: unknown department {s.department}")
    for win in spec.windows:
        if win.department is not None and win.department not in departments:
            problems.append(f"window {win.number}: unknown department {win.department}")
        problems += [
            f"window {win.number}: unknown service {code}"
            for code in win.services
            if code not in services
        ]
    for person in spec.staff:
        if person.department is not None and person.department not in departments:
            problems.append(f"staff {person.staff_no}: unknown department {person.department}")
    if problems:
        raise HallFileError(f"{source}: " + "; ".join(problems))


def import_hall(session: Session, spec: HallFile, now: datetime) -> ImportReport:
    """Create or update the hall in the caller's transaction."""
    report = ImportReport(hall=spec.hall.code)
    hall = session.scalars(select(Hall).where(Hall.code == spec.hall.code)).one_or_none()
    if hall is None:
        hall = Hall(code=spec.hall.code)
        session.add(hall)
        report.created.append(f"hall {spec.hall.code}")
    hall.name = spec.hall.name
    hall.timezone = spec.hall.timezone
    hall.min_call_interval_s = spec.hall.min_call_interval_s
    session.flush()

    departments = _upsert_departments(session, hall, spec, report)
    services = _upsert_services(session, hall, spec, departments, report)
    _set_alert_rules(session, spec, services)
    _upsert_windows(session, hall, spec, departments, services, report)
    _upsert_staff(session, hall, spec, departments, report, now)
    import_calendar(session, hall, spec.calendar, now)
    _set_policy(session, hall, spec.policy)
    report.updated.append("calendar")
    import_leave_policy(session, hall, spec.leave, now)
    rules = {item.code: item.appointments for item in spec.services}
    import_appointments(session, hall, spec.appointments, rules, services)
    append_event(session, hall.id, w.EventKind.hall_updated, now)
    return report


def _set_policy(session: Session, hall: Hall, spec: PolicySpec) -> None:
    """The counter policy, on the hall's policy row (`import_calendar` made sure it exists)."""
    policy = session.get_one(HallPolicy, hall.id)
    policy.no_show_min_recalls = spec.no_show_min_recalls
    policy.no_show_min_seconds = spec.no_show_min_seconds
    policy.reinstate_minutes = spec.reinstate_minutes
    policy.handoff_placement = spec.handoff_placement
    policy.handoff_flag_after = spec.handoff_flag_after
    policy.handoff_arrival_minutes = spec.handoff_arrival_minutes
    session.flush()


def _set_alert_rules(session: Session, spec: HallFile, services: dict[str, Service]) -> None:
    """Each service's congestion thresholds: its own, else the [monitor] section's."""
    for item in spec.services:
        alert = item.alert or spec.monitor.alert
        service_id = services[item.code].id
        rule = session.get(ServiceAlertRule, service_id)
        if rule is None:
            rule = ServiceAlertRule(service_id=service_id)
            session.add(rule)
        rule.waiting = alert.waiting
        rule.longest_wait_minutes = alert.longest_wait_minutes
        rule.estimated_wait_minutes = alert.estimated_wait_minutes
        rule.clear_percent = alert.clear_percent
    session.flush()


def _upsert_departments(
    session: Session, hall: Hall, spec: HallFile, report: ImportReport
) -> dict[str, Department]:
    existing = {
        d.code: d for d in session.scalars(select(Department).where(Department.hall_id == hall.id))
    }
    wanted = {item.code for item in spec.departments}
    for item in spec.departments:
        row = existing.get(item.code)
        if row is None:
            row = existing[item.code] = Department(hall_id=hall.id, code=item.code)
            session.add(row)
            report.created.append(f"department {item.code}")
        row.name = item.name
        row.active = True
    for code, row in existing.items():
        if code not in wanted and row.active:
            row.active = False  # its services, windows and staff left the file with it
            report.deactivated.append(f"department {code}")
    session.flush()
    return existing


def _upsert_services(
    session: Session,
    hall: Hall,
    spec: HallFile,
    departments: dict[str, Department],
    report: ImportReport,
) -> dict[str, Service]:
    existing = {
        s.code: s for s in session.scalars(select(Service).where(Service.hall_id == hall.id))
    }
    wanted = {s.code for s in spec.services}
    # Park every prefix on a placeholder first, so two services may swap prefixes in one import
    # and a retired service never blocks its old prefix.
    for row in existing.values():
        row.prefix = f"~{row.id}"
    session.flush()
    for item in spec.services:
        found = existing.get(item.code)
        if found is None:
            row = existing[item.code] = Service(hall_id=hall.id, code=item.code)
            session.add(row)
            report.created.append(f"service {item.code}")
        else:
            row = found
        row.name = item.name
        row.department_id = departments[item.department].id
        row.prefix = item.prefix
        row.estimated_minutes = item.estimated_minutes
        row.cutoff_minutes = item.cutoff_minutes
        row.active = True
    for code, row in existing.items():
        if code not in wanted and row.active:
            row.active = False
            report.deactivated.append(f"service {code}")
    session.flush()
    return existing


def _upsert_windows(
    session: Session,
    hall: Hall,
    spec: HallFile,
    departments: dict[str, Department],
    services: dict[str, Service],
    report: ImportReport,
) -> None:
    existing = {
        w_.number: w_ for w_ in session.scalars(select(Window).where(Window.hall_id == hall.id))
    }
    wanted = {item.number for item in spec.windows}
    for item in spec.windows:
        row = existing.get(item.number)
        if row is None:
            row = Window(hall_id=hall.id, number=item.number)
            session.add(row)
            report.created.append(f"window {item.number}")
        row.label = item.label
        row.department_id = departments[item.department].id if item.department else None
        row.active = True
        row.reserve = item.reserve
        session.flush()
        for link in session.scalars(select(WindowService).where(WindowService.window_id == row.id)):
            session.delete(link)
        session.flush()
        for position, code in enumerate(item.services):
            session.add(
                WindowService(window_id=row.id, service_id=services[code].id, position=position)
            )
    for number, row in existing.items():
        if number not in wanted and row.active:
            row.active = False
            report.deactivated.append(f"window {number}")
    session.flush()


def _upsert_staff(
    session: Session,
    hall: Hall,
    spec: HallFile,
    departments: dict[str, Department],
    report: ImportReport,
    now: datetime,
) -> None:
    existing = {
        s.staff_no: s for s in session.scalars(select(Staff).where(Staff.hall_id == hall.id))
    }
    for item in spec.staff:
        row = existing.get(item.staff_no)
        password = item.password
        if row is None:
            other_hall = session.scalars(
                select(Staff).where(Staff.staff_no == item.staff_no)
            ).first()
            if other_hall is not None:
                raise HallFileError(
                    f"staff number {item.staff_no} already belongs to another hall: pick another"
                )
            if password is None:
                password = secrets.token_urlsafe(9)
                report.first_passwords[item.staff_no] = password
            row = Staff(hall_id=hall.id, staff_no=item.staff_no, failed_logins=0)
            session.add(row)
            report.created.append(f"staff {item.staff_no}")
        else:
            report.updated.append(f"staff {item.staff_no}")
        row.name = item.name
        row.department_id = departments[item.department].id if item.department else None
        row.roles = ",".join(sorted(r.value for r in item.roles))
        row.active = True
        if password is not None:  # a changed password ends the person's sign-ins
            staff_admin.change_password_if_new(session, row, password, now)
    wanted = {item.staff_no for item in spec.staff}
    for staff_no, row in existing.items():
        if staff_no not in wanted and row.active:
            staff_admin.deactivate(session, row, now)  # and their sign-ins end
            report.deactivated.append(f"staff {staff_no}")
    session.flush()
