"""Bring the catalogs up to date with the code and fill in Chinese translations.

    .venv/bin/python scripts/i18n-add.py [TRANSLATIONS.json ...]

Each JSON file maps an English msgid to its Simplified Chinese text (for ngettext entries the
value is one string: Chinese has one plural form; a message with a context, from pgettext or
NP_, is written "context\u0004msgid"). The script extracts every marked string,
updates both catalogs, writes the given translations into zh_CN, and compiles the .mo files.
It holds a lock file, so several people (or helpers) can run it at once; it prints the msgids
that are still untranslated in zh_CN.
"""

from __future__ import annotations

import fcntl
import json
import subprocess
import sys
import tempfile
from pathlib import Path

from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
LOCALE = ROOT / "clerkdesk" / "locale"
BIN = Path(sys.executable).parent
ZH_PO = LOCALE / "zh_CN" / "LC_MESSAGES" / "clerkdesk.po"


def _run(*args: str) -> None:
    subprocess.run([str(BIN / args[0]), *args[1:]], check=True, cwd=ROOT, capture_output=True)


def main(paths: list[str]) -> int:
    wanted: dict[str, str] = {}
    for path in paths:
        wanted.update(json.loads(Path(path).read_text(encoding="utf-8")))
    with open(Path(tempfile.gettempdir()) / "clerkdesk-i18n.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        with tempfile.TemporaryDirectory() as tmp:
            pot = f"{tmp}/clerkdesk.pot"
            _run(
                "pybabel", "extract", "-k", "N_", "-k", "NP_:1c,2", "-k", "pgettext:1c,2",
                "--no-location", "--sort-output", "--project=clerkdesk", "-o", pot, "clerkdesk",
            )  # fmt: skip
            _run(
                "pybabel", "update", "-i", pot, "-d", str(LOCALE), "-D", "clerkdesk",
                "--ignore-obsolete", "--no-fuzzy-matching",
            )  # fmt: skip
        with ZH_PO.open("rb") as f:
            catalog = read_po(f, locale="zh_CN")
        unknown = []
        for wanted_id, text in wanted.items():
            # "context\u0004msgid" (gettext's own separator) names a message with a context
            context, _sep, msgid = wanted_id.rpartition("\x04")
            found = None
            for message in catalog:
                key = message.id[0] if isinstance(message.id, tuple) else message.id
                if key == msgid and (message.context or "") == context:
                    found = message
                    break
            if found is None:
                unknown.append(wanted_id)
                continue
            found.string = (text,) if isinstance(found.id, tuple) else text
            found.flags.discard("fuzzy")
        with ZH_PO.open("wb") as f:
            write_po(f, catalog, omit_header=False, no_location=True, width=100)
        _run("pybabel", "compile", "-d", str(LOCALE), "-D", "clerkdesk")
        missing = [
            (m.id[0] if isinstance(m.id, tuple) else m.id)
            for m in catalog
            if m.id
            and not all(m.string if isinstance(m.string, tuple) else (m.string,))
        ]
    for msgid in unknown:
        print(f"not marked anywhere in the code (ignored): {msgid!r}")
    for msgid in missing:
        print(f"still untranslated in zh_CN: {msgid!r}")
    return 1 if missing else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
