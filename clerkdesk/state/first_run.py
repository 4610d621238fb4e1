"""What the first start of an embedded hall asks: the first admin, a department, a window with
one service. The embedded hall turns it into a hall file and imports it in one transaction."""

from __future__ import annotations

import re
from dataclasses import dataclass

from clerkdesk.i18n import _

STAFF_NO = re.compile(r"^[A-Za-z0-9_.-]{1,32}$")
PREFIX = re.compile(r"^[A-Z]{1,2}$")


@dataclass(frozen=True)
class FirstRunAnswers:
    hall_name: str
    staff_no: str
    name: str
    password: str
    department: str
    window: int
    service: str
    prefix: str = "A"


def field_problems(answers: FirstRunAnswers, repeated_password: str) -> dict[str, str]:
    """What is wrong with each answer, by the form's field ("hall", "staff-no", "name",
    "password", "password2", "department", "window", "service", "prefix"), each saying what to
    type; a field that is right has no entry."""
    found: dict[str, str] = {}
    for key, value, label in (
        ("hall", answers.hall_name, _("the hall's name")),
        ("name", answers.name, _("your name")),
        ("department", answers.department, _("the department")),
        ("service", answers.service, _("the service")),
    ):
        if not value.strip():
            found[key] = _("Type {what}.").format(what=label)
    if not STAFF_NO.match(answers.staff_no):
        found["staff-no"] = _("The staff number uses letters, digits, '-', '_' or '.' (up to 32).")
    if not answers.password:
        found["password"] = _("Type a password of at least 4 characters.")
    elif len(answers.password) < 4:
        found["password"] = _("The password needs at least 4 characters.")
    if answers.password != repeated_password:
        found["password2"] = _("The two passwords differ: type the same one twice.")
    if not 1 <= answers.window <= 9999:
        found["window"] = _("The window number is between 1 and 9999.")
    if not PREFIX.match(answers.prefix):
        found["prefix"] = _("The ticket prefix is one or two capital letters, such as A.")
    return found


def problems(answers: FirstRunAnswers, repeated_password: str) -> list[str]:
    """What is wrong with the answers, in the form's order; empty when all is well."""
    order = [
        "hall",
        "staff-no",
        "name",
        "password",
        "password2",
        "department",
        "window",
        "service",
        "prefix",
    ]
    found = field_problems(answers, repeated_password)
    return [found[key] for key in order if key in found]
