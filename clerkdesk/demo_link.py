"""Where a running demo hall can be found: `clerkdesk demo` writes its address to a small file in
the user data dir while it runs, and `clerkdesk demo --board` (in another terminal) reads it.

The file names the demo's process: one left behind by a demo that was killed is recognised
(no such process) and ignored. Light on imports: read before anything else starts.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from clerkdesk.config import data_dir

FILE = "demo-hall.json"


@dataclass(frozen=True)
class RunningDemo:
    url: str
    pid: int


def demo_file() -> Path:
    return data_dir() / FILE


def announce(url: str, pid: int | None = None) -> Path:
    """Write where this demo hall answers (0600, replaced atomically)."""
    path = demo_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps({"url": url, "pid": pid or os.getpid()}), encoding="utf-8")
    tmp.chmod(0o600)
    tmp.replace(path)
    return path


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: it exists
        return True
    return True


def running() -> RunningDemo | None:
    """The demo hall running on this computer for this user, if any."""
    try:
        data = json.loads(demo_file().read_text(encoding="utf-8"))
        found = RunningDemo(str(data["url"]), int(data["pid"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return found if _alive(found.pid) else None


def withdraw(pid: int | None = None) -> None:
    """Remove the file if it is this process's (a later demo may have replaced it)."""
    path = demo_file()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if int(data.get("pid", -1)) == (pid or os.getpid()):
            path.unlink()
    except (OSError, ValueError, TypeError):
        return
