"""Translation: every user-visible string goes through `_()`; Simplified Chinese and English ship.

The catalogs live in clerkdesk/locale/<lang>/LC_MESSAGES/clerkdesk.po (+ the compiled .mo).
`set_language("zh")` picks Chinese, anything else English; `set_language(None)` follows the
locale (LANGUAGE, LC_ALL, LC_MESSAGES, LANG): zh_* means Chinese. `_` looks the message up at
call time, so strings built at import time must be marked with `N_` and translated when shown.
"""

from __future__ import annotations

import gettext
import os
from collections.abc import Mapping
from pathlib import Path

DOMAIN = "clerkdesk"
LOCALE_DIR = Path(__file__).with_name("locale")
CATALOG_OF = {"zh": "zh_CN", "en": "en"}

_translation: gettext.NullTranslations = gettext.NullTranslations()
_language = "en"


def language_from_locale(environ: Mapping[str, str] | None = None) -> str:
    """ "zh" when the user's locale is Chinese (zh, zh_CN, zh_TW.UTF-8 …), else "en"."""
    env = os.environ if environ is None else environ
    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(name, "")
        if value:
            first = value.split(":")[0]
            return "zh" if first.lower().startswith("zh") else "en"
    return "en"


def normalize(lang: str) -> str:
    return "zh" if lang.strip().lower().replace("-", "_").startswith(("zh", "cn")) else "en"


def set_language(lang: str | None) -> str:
    """Switch every later `_()` to `lang` (None: from the locale); returns "zh" or "en"."""
    global _translation, _language
    code = normalize(lang) if lang else language_from_locale()
    _translation = gettext.translation(
        DOMAIN, LOCALE_DIR, languages=[CATALOG_OF[code]], fallback=True
    )
    _language = code
    return code


def current_language() -> str:
    return _language


def _(message: str) -> str:
    return _translation.gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return _translation.ngettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    """`_` for a message whose words mean something else elsewhere ("End" the key, "End" the
    column), told apart by `context`."""
    return _translation.pgettext(context, message)


def NP_(context: str, message: str) -> str:
    """`N_` for `pgettext` messages: marks `message` in `context` for extraction."""
    return message


def N_(message: str) -> str:
    """Mark a message for extraction without translating it yet (translate it when shown)."""
    return message
