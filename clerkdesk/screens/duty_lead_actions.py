"""The duty lead's decisions: each asks what it needs (a dialog), then sends one decision."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from clerkdesk.api import schemas as w
from clerkdesk.i18n import N_, _
from clerkdesk.screens.dialogs import ConfirmDialog, ReasonDialog
from clerkdesk.screens.lead_dialogs import ApproveMinutesDialog
from clerkdesk.workstation.display import local_time
from clerkdesk.workstation.lead_desk import Answer, Decision

if TYPE_CHECKING:
    from clerkdesk.workstation.lead_desk import LeadDesk
    from clerkdesk.workstation.session import Workstation


def _extension(answer: Answer) -> w.ExtensionOut:
    assert isinstance(answer, w.ExtensionOut)
    return answer


def _overrun(answer: Answer) -> w.OverrunOut:
    assert isinstance(answer, w.OverrunOut)
    return answer


class LeadDecisions:
    """Mixed into DutyLeadScreen, which provides `ws`, `desk`, `app`, `send` and the highlighted
    request and overrun."""

    if TYPE_CHECKING:
        ws: Workstation
        desk: LeadDesk
        app: Any

        def send(self, decision: Decision) -> None: ...
        def request(self) -> w.ExtensionInboxItem | None: ...
        def overrun(self) -> w.OverrunOut | None: ...

    def _approve(self, item: w.ExtensionInboxItem, minutes: int | None) -> None:
        x, zone = item.extension, self.ws.zone

        def done(answer: Answer) -> str:
            out = _extension(answer)
            return _("Approved {n} min for window {window}: it now ends at {time}.").format(
                n=out.minutes_approved,
                window=out.window,
                time=local_time(out.ends_at, zone) if out.ends_at else "—",
            )

        self.send(
            Decision(N_("Approve"), lambda c, k: c.approve_extension(x.id, minutes, key=k), done)
        )

    def action_approve(self) -> None:
        item = self.request()
        if item is not None:
            self._approve(item, None)

    def action_approve_minutes(self) -> None:
        item = self.request()
        if item is None:
            return
        x = item.extension
        if item.waiting or item.minutes_needed:
            question = _(
                "Window {window}, {name}: asked {asked} min; the citizens waiting need about "
                "{needed} min. Approve how many?"
            )
        else:
            question = _(
                "Window {window}, {name}: asked {asked} min; nobody waits now. Approve how many?"
            )
        question = question.format(
            window=x.window,
            name=x.staff.name,
            asked=x.minutes_requested,
            needed=item.minutes_needed,
        )

        def chosen(minutes: int | None) -> None:
            if minutes is not None:
                self._approve(item, minutes)

        self.app.push_screen(ApproveMinutesDialog(question, x.minutes_requested), chosen)

    def action_deny(self) -> None:
        item = self.request()
        if item is None:
            return
        x = item.extension

        def chosen(reason: str | None) -> None:
            if reason:
                self.send(
                    Decision(
                        N_("Deny"),
                        lambda c, k: c.deny_extension(x.id, reason, key=k),
                        lambda a: _("Denied window {window}'s request: {name} is told why.").format(
                            window=x.window, name=x.staff.name
                        ),
                    )
                )

        question = _("Deny window {window}'s request ({name}, {n} min)? {name} reads the reason.")
        text = question.format(window=x.window, name=x.staff.name, n=x.minutes_requested)
        self.app.push_screen(ReasonDialog(text), chosen)

    def _decide_overrun(self, confirm: bool) -> None:
        overrun = self.overrun()
        if overrun is None:
            return
        o = overrun

        def done(answer: Answer) -> str:
            out = _overrun(answer)
            text = (
                _("Confirmed window {window}'s {n} min past the end.")
                if out.status == w.OverrunStatus.confirmed
                else _("Rejected window {window}'s {n} min past the end.")
            )
            return text.format(window=out.window, n=out.minutes)

        def chosen(reason: str | None) -> None:
            if reason is None:
                return
            if confirm:
                send = Decision(
                    N_("Confirm"), lambda c, k: c.confirm_overrun(o.id, reason, k), done
                )
            else:
                send = Decision(N_("Reject"), lambda c, k: c.reject_overrun(o.id, reason, k), done)
            self.send(send)

        facts = {"window": o.window, "name": o.staff.name, "n": o.minutes}
        if confirm:
            question = _(
                "Confirm window {window}'s {n} min past the end ({name})? A note is optional."
            )
            self.app.push_screen(ReasonDialog(question.format(**facts), required=False), chosen)
        else:
            question = _("Reject window {window}'s {n} min past the end ({name})? Give the reason.")
            self.app.push_screen(ReasonDialog(question.format(**facts)), chosen)

    def action_confirm_overrun(self) -> None:
        self._decide_overrun(True)

    def action_reject_overrun(self) -> None:
        self._decide_overrun(False)

    def action_confirm_year(self) -> None:
        if not self.desk.unconfirmed_years:
            return
        year = self.desk.unconfirmed_years[0]

        def chosen(yes: bool | None) -> None:
            if yes:
                self.send(
                    Decision(
                        N_("Confirm year"),
                        lambda c, k: c.confirm_year(year, k),
                        lambda a: _("The calendar of {year} is confirmed.").format(year=year),
                    )
                )

        question = _(
            "Do the hall calendar's holidays and swapped workdays for {year} match the official "
            "notice? Confirming removes the warning for every lead."
        ).format(year=year)
        self.app.push_screen(ConfirmDialog(question, _("Confirm the year"), _("Cancel")), chosen)
