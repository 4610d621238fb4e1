"""The ticket's status link as a small web page, for the phone that scanned the QR code on a
printed ticket (GET /t/{token} asked for text/html): the number, the service, the state, the
window, the people ahead; it reloads itself every 30 seconds. In Chinese unless the phone asks
for English first (Accept-Language)."""

from __future__ import annotations

import gettext
from collections.abc import Callable
from html import escape

from clerkdesk.api import kiosk_schemas as kw
from clerkdesk.api.schemas import TicketStatus
from clerkdesk.i18n import CATALOG_OF, DOMAIN, LOCALE_DIR, N_

STATE_WORDS = {
    TicketStatus.waiting: N_("Waiting"),
    TicketStatus.called: N_("Called: please go to the window"),
    TicketStatus.serving: N_("Being served"),
    TicketStatus.done: N_("Done"),
    TicketStatus.no_show: N_("Missed (called, did not come)"),
    TicketStatus.cancelled: N_("Cancelled"),
}


def language_of(accept_language: str | None) -> str:
    """The first of zh and en the phone names (Chinese when it names neither)."""
    for part in (accept_language or "").split(","):
        tag = part.split(";")[0].strip().lower()
        if tag.startswith("zh"):
            return "zh"
        if tag.startswith("en"):
            return "en"
    return "zh"


def _translator(lang: str) -> Callable[[str], str]:
    found = gettext.translation(DOMAIN, LOCALE_DIR, languages=[CATALOG_OF[lang]], fallback=True)
    return found.gettext


def status_page(status: kw.TicketStatusOut, lang: str) -> str:
    """`status.issued_at` is in the hall's time (as `ticket_status` answers it)."""
    _ = _translator(lang)
    issued = status.issued_at
    lines = [
        f"<p class='service'>{escape(status.service_name)}</p>",
        f"<p class='state'>{escape(_(STATE_WORDS[status.status]))}</p>",
    ]
    if status.window is not None:
        lines.append(f"<p class='window'>{escape(_('Window {n}').format(n=status.window))}</p>")
    if status.people_ahead is not None:
        ahead = _("{n} waiting before you").format(n=status.people_ahead)
        lines.append(f"<p>{escape(ahead)}</p>")
    taken = _("Taken at {time}").format(time=f"{issued:%Y-%m-%d %H:%M}")
    lines.append(f"<p class='small'>{escape(taken)}</p>")
    html_lang = "zh-CN" if lang == "zh" else "en"
    return (
        f"<!doctype html><html lang='{html_lang}'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width,initial-scale=1'>"
        "<meta http-equiv='refresh' content='30'>"
        f"<title>{escape(status.code)}</title>"
        "<style>body{font-family:sans-serif;text-align:center;margin:2em}"
        "h1{font-size:4em;margin:.2em}.small{color:#666}.state{font-size:1.5em}</style>"
        f"</head><body><h1>{escape(status.code)}</h1>{''.join(lines)}</body></html>"
    )
