"""The Textual internals ClerkDesk relies on (clerkdesk/widgets/textual_compat.py) are there in
the installed Textual: a Textual that changed them fails here, naming what changed."""

from __future__ import annotations

import pytest
import textual

from clerkdesk.widgets.textual_compat import TESTED_MAJOR, incompatibilities


def test_the_installed_textual_has_what_the_adapter_relies_on() -> None:
    problems = incompatibilities()
    assert not problems, f"Textual {textual.__version__}:\n" + "\n".join(problems)


def test_an_unknown_major_version_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(textual, "__version__", f"{TESTED_MAJOR + 1}.0.0")
    [problem] = incompatibilities()
    assert f"Textual {TESTED_MAJOR + 1}.0.0 is not {TESTED_MAJOR}.x" in problem
    assert "clerkdesk/widgets/textual_compat.py" in problem
