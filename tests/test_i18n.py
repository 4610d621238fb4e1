"""Every user-visible string is translated to Simplified Chinese, and the shipped catalogs are
compiled from the .po files as they are now."""

from __future__ import annotations

import gettext
import io
import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from rich.cells import cell_len

import clerkdesk
from clerkdesk import i18n
from clerkdesk.state.display import pad

PACKAGE = Path(clerkdesk.__file__).parent
KEYWORDS = {
    "_": None,
    "N_": None,
    "ngettext": (1, 2),
    "pgettext": ((1, "c"), 2),
    "NP_": ((1, "c"), 2),
}
PLACEHOLDER = re.compile(r"\{[a-z_]*\}")


def _po(lang: str) -> Path:
    return i18n.LOCALE_DIR / lang / "LC_MESSAGES" / "clerkdesk.po"


def _extracted() -> dict[tuple[str | None, str], str]:
    """(context, msgid) -> where it was found, for every marked string in the package."""
    found: dict[tuple[str | None, str], str] = {}
    for filename, line, message, _comments, context in extract_from_dir(
        str(PACKAGE), method_map=[("**.py", "python")], keywords=KEYWORDS
    ):
        msgid = message[0] if isinstance(message, tuple) else message
        if msgid:
            found[(context, msgid)] = f"{filename}:{line}"
    return found


def test_every_marked_string_has_a_chinese_translation() -> None:
    catalog = read_po(_po("zh_CN").open("rb"), locale="zh_CN")
    missing, untranslated = [], []
    for (context, msgid), where in sorted(_extracted().items(), key=str):
        message = catalog.get(msgid, context=context)
        if message is None:
            missing.append(f"{where}: {msgid!r}")
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if not all(strings) or message.fuzzy:
            untranslated.append(f"{where}: {msgid!r}")
    assert not missing, (
        "not in the zh_CN catalog (run the update in clerkdesk/locale/README.md):\n"
        + "\n".join(missing)
    )
    assert not untranslated, "untranslated in zh_CN:\n" + "\n".join(untranslated)


def test_translations_keep_every_placeholder() -> None:
    catalog = read_po(_po("zh_CN").open("rb"), locale="zh_CN")
    wrong = []
    for message in catalog:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        wanted = set(PLACEHOLDER.findall(ids[-1]))
        wrong += [f"{ids[0]!r} -> {s!r}" for s in strings if set(PLACEHOLDER.findall(s)) != wanted]
    assert not wrong, "\n".join(wrong)


def _compiled(mo: bytes) -> dict[object, str]:
    catalog = gettext.GNUTranslations(io.BytesIO(mo))._catalog  # type: ignore[attr-defined]
    return {k: v for k, v in catalog.items() if k != ""}  # the header carries dates


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
def test_the_compiled_catalog_matches_its_po_file(lang: str) -> None:
    fresh = io.BytesIO()
    write_mo(fresh, read_po(_po(lang).open("rb"), locale=lang))
    shipped = _po(lang).with_suffix(".mo").read_bytes()
    assert _compiled(shipped) == _compiled(fresh.getvalue()), (
        f"{lang}: the .mo is stale; compile it again (clerkdesk/locale/README.md)"
    )


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({"LANG": "zh_CN.UTF-8"}, "zh"),
        ({"LANG": "zh_TW.UTF-8"}, "zh"),
        ({"LANGUAGE": "en_GB:zh_CN", "LANG": "zh_CN.UTF-8"}, "en"),
        ({"LC_ALL": "zh_CN.UTF-8", "LANG": "en_US.UTF-8"}, "zh"),
        ({"LANG": "C.UTF-8"}, "en"),
        ({}, "en"),
    ],
)
def test_chinese_when_the_locale_is_zh_english_otherwise(
    environ: dict[str, str], expected: str
) -> None:
    assert i18n.language_from_locale(environ) == expected


def test_lang_overrides_the_locale(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    try:
        assert i18n.set_language(None) == "zh"
        assert i18n._("Call next") == "叫号"
        assert i18n.set_language("en") == "en"
        assert i18n._("Call next") == "Call next"
        assert i18n.set_language("zh-CN") == "zh"
        assert i18n.ngettext("{n} waiting for this window", "{n} waiting for this window", 3) == (
            "本窗口等候 {n} 人"
        )
    finally:
        i18n.set_language("en")


def test_chinese_text_pads_by_terminal_cells_not_characters() -> None:
    assert cell_len(pad("不动产登记", 14)) == 14
    assert cell_len(pad("A023", 14)) == 14
    assert pad("不动产登记查询", 4) == "不动产登记查询"
