"""The national (CN) holiday calendar the hall's rules classify days with, loaded once.

`holidays.country_holidays("CN")` finds the country through the `holidays.countries` package,
whose `__init__` imports all 250 countries: about 50 ms of CPU, on the way to the workstation's
first screen when the hall is embedded. The China module needs none of them, so it is loaded
from its own file (the standard library's recipe for importing a source file).

Thread-safe: the first requests after a start arrive together, on several threads. One lock
makes the others wait for the first load, and the module is registered in `sys.modules` only
once it has finished executing, so no thread ever sees it half-built (a module registered
before `exec_module` returns lacks the names defined further down: `AttributeError: ... no
attribute 'China'`).
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
import threading
from pathlib import Path

import holidays

from clerkdesk.hall.rules.day_types import LIBRARY_CN, NationalCalendar

_MODULE = "holidays.countries.china"
_lock = threading.Lock()
_loaded: NationalCalendar | None = None


def china_calendar() -> NationalCalendar:
    """The library's China calendar class, as `holidays.country_holidays("CN", ...)` builds it."""
    global _loaded
    found = _loaded
    if found is None:
        with _lock:
            if _loaded is None:
                _loaded = _load()
            found = _loaded
    return found


def _load() -> NationalCalendar:
    if _MODULE in sys.modules:
        # Imported already (or being imported) the library's own way: the import system waits
        # for a module another thread is still executing.
        china: NationalCalendar = importlib.import_module(_MODULE).China
        return china
    path = Path(holidays.__file__).parent / "countries" / "china.py"
    spec = importlib.util.spec_from_file_location(_MODULE, path)
    if spec is None or spec.loader is None:  # another layout: the library's own way
        return LIBRARY_CN
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    # Finished: a later import of the countries package reuses it (unless one got there first).
    sys.modules.setdefault(_MODULE, module)
    loaded: NationalCalendar = module.China
    return loaded
