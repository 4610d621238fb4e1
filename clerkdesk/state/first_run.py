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


def problems(answers: FirstRunAnswers, repeated_password: str) -> list[str]:
    """What is wrong with the answers, each saying what to type; empty when all is well."""
    found: list[str] = []
    for value, label in (
        (answers.hall_name, _("the hall's name")),
        (answers.name, _("your name")),
        (answers.department, _("the department")),
        (answers.service, _("the service")),
    ):
        if not value.strip():
            found.append(_("Type {what}.").format(what=label))
    if not STAFF_NO.match(answers.staff_no):
        found.append(_("The staff number uses letters, digits, '-', '_' or '.' (up to 32)."))
    if len(answers.password) < 4:
        found.append(_("The password needs at least 4 characters."))
    elif answers.password != repeated_password:
        found.append(_("The two passwords differ: type the same one twice."))
    if not 1 <= answers.window <= 9999:
        found.append(_("The window number is between 1 and 9999."))
    if not PREFIX.match(answers.prefix):
        found.append(_("The ticket prefix is one or two capital letters, such as A."))
    return found
