"""Where the sign-in token lives between starts: the OS credential store, through `keyring`.

One keyring entry per server and staff number (service "clerkdesk", username
"<server>|<staff_no>"), its password a small JSON object holding the token and its expiry.

Whether the keyring is secure is decided from the backend's class and priority, never by
trying a write: a headless box has only `keyring.backends.fail.Keyring` (raises),
`keyring.backends.null.Keyring` (silently discards) or keyrings.alt's file backends (base64 or
a password prompt). There the token stays in this process's memory only, `secure` is False and
`notice` says why, for the screen to show once. If the user opted in through the config
(`plaintext_token_file = true`), the token goes to a 0600 file in the user data dir instead.

Keyring calls may block briefly (D-Bus, Keychain): call them from a thread worker.
"""

from __future__ import annotations

import contextlib
import json
import os
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from clerkdesk.clock import Clock, SystemClock
from clerkdesk.config import data_dir
from clerkdesk.i18n import _

if TYPE_CHECKING:
    from keyring.backend import KeyringBackend

# `keyring` is imported when a store first needs it: importing it and choosing the backend take
# about 0.15 s, and a memory-only store (the demo's) never needs it.

SERVICE = "clerkdesk"
PLAINTEXT_FILE_NAME = "sign-in-tokens.PLAINTEXT.json"
# Backends that store nothing, or store without real protection, whatever their priority.
_INSECURE_MODULES = ("keyring.backends.fail", "keyring.backends.null", "keyrings.alt")


def _backend_errors() -> tuple[type[BaseException], ...]:
    """What a real backend raises when the store is locked, gone (D-Bus) or refuses."""
    import keyring.errors

    return (keyring.errors.KeyringError, OSError, RuntimeError)


Place = Literal["keyring", "plaintext-file", "memory"]


@dataclass(frozen=True)
class StoredToken:
    server: str
    staff_no: str
    token: str
    expires_at: datetime  # aware, UTC


def entry_name(server: str, staff_no: str) -> str:
    """The keyring username of one sign-in: one entry per server + staff number."""
    return f"{server.rstrip('/')}|{staff_no}"


def plaintext_file() -> Path:
    return data_dir() / PLAINTEXT_FILE_NAME


def is_secure_backend(backend: KeyringBackend) -> bool:
    """True for a recommended OS credential store (priority >= 1, not a file or null backend).

    A chainer writes to its highest-priority backend, so it is as secure as that one.
    """
    from keyring.backends.chainer import ChainerBackend

    if isinstance(backend, ChainerBackend):
        chained = list(backend.backends)
        return bool(chained) and is_secure_backend(chained[0])
    module = type(backend).__module__
    if any(module == m or module.startswith(m + ".") for m in _INSECURE_MODULES):
        return False
    try:
        return float(backend.priority) >= 1
    except Exception:  # a backend that cannot run here raises from its priority
        return False


class TokenStore:
    """Save, load and delete the sign-in token of (server, staff number).

      place   "keyring", "plaintext-file" or "memory"
      secure  True only when the token goes to a secure OS credential store
      notice  None when secure, else one short translated sentence for the screen to show once

    The keyring backend is chosen on first use, not when the store is made: importing `keyring`
    and asking it for the backend take about 0.15 s, which the workstation spends in a worker
    thread while the sign-in screen is already up instead of before it. Reading `place`,
    `secure` or `notice` chooses it too.

    If the keyring refuses a save (locked, D-Bus gone), the store falls back to memory and sets
    `notice`: read it again after `save`.
    """

    def __init__(
        self,
        *,
        allow_plaintext_file: bool = False,
        backend: KeyringBackend | None = None,
        clock: Clock | None = None,
    ) -> None:
        self._allow_plaintext_file = allow_plaintext_file
        self._backend: KeyringBackend | None = None
        self._clock: Clock = clock or SystemClock()
        self._memory: dict[str, str] = {}
        self._place: Place | None = None
        self._notice: str | None = None
        self._choosing = threading.Lock()
        if backend is not None:
            self._choose(backend)

    @classmethod
    def memory_only(cls, clock: Clock | None = None) -> TokenStore:
        """A store that keeps sign-ins for this run only and says nothing about it (the demo's:
        its sign-in is meant to last one run). It never touches the keyring."""
        store = cls(clock=clock)
        store._place = "memory"
        return store

    def _choose(self, backend: KeyringBackend | None = None) -> Place:
        """Where tokens go, decided once (from a worker thread, usually)."""
        with self._choosing:
            if self._place is not None:
                return self._place
            if backend is None:
                import keyring

                backend = keyring.get_keyring()
            self._backend = backend
            if is_secure_backend(backend):
                self._place = "keyring"
            elif self._allow_plaintext_file:
                self._place = "plaintext-file"
                self._notice = _(
                    "Your sign-in is kept in a plain file, as the config asks: {path}"
                ).format(path=plaintext_file())
            else:
                self._place = "memory"
                self._notice = _("No system keyring here: you will sign in again after a restart.")
            return self._place

    @property
    def place(self) -> Place:
        return self._place if self._place is not None else self._choose()

    @property
    def notice(self) -> str | None:
        self._choose()
        return self._notice

    @property
    def secure(self) -> bool:
        return self.place == "keyring"

    def save(self, server: str, staff_no: str, token: str, expires_at: datetime) -> None:
        if expires_at.tzinfo is None:
            raise ValueError("expires_at must be an aware datetime")
        name = entry_name(server, staff_no)
        value = json.dumps({"token": token, "expires_at": expires_at.astimezone(UTC).isoformat()})
        if self.place == "keyring" and self._backend is not None:
            try:
                self._backend.set_password(SERVICE, name, value)
                return
            except _backend_errors() as exc:
                self._place = "memory"
                self._notice = _(
                    "The system keyring refused the sign-in ({reason}): "
                    "you will sign in again after a restart."
                ).format(reason=exc)
        if self.place == "plaintext-file":
            entries = _read_file()
            entries[name] = value
            _write_file(entries)
        else:
            self._memory[name] = value

    def load(self, server: str, staff_no: str) -> StoredToken | None:
        """The saved token, or None if there is none, it is unreadable or it has expired."""
        name = entry_name(server, staff_no)
        value = self._memory.get(name)
        if value is None and self.place == "keyring" and self._backend is not None:
            with contextlib.suppress(*_backend_errors()):
                value = self._backend.get_password(SERVICE, name)
        elif value is None and self.place == "plaintext-file":
            value = _read_file().get(name)
        if value is None:
            return None
        stored = _parse(server.rstrip("/"), staff_no, value)
        if stored is None or stored.expires_at <= self._clock.now():
            self.delete(server, staff_no)
            return None
        return stored

    def delete(self, server: str, staff_no: str) -> None:
        """Forget the token everywhere it may be: memory, the keyring and the plain file."""
        name = entry_name(server, staff_no)
        self._memory.pop(name, None)
        if self.place == "keyring" and self._backend is not None:
            with contextlib.suppress(*_backend_errors()):
                self._backend.delete_password(SERVICE, name)
        path = plaintext_file()
        if path.exists():
            entries = _read_file()
            if entries.pop(name, None) is not None:
                _write_file(entries)


def _parse(server: str, staff_no: str, value: str) -> StoredToken | None:
    try:
        raw = json.loads(value)
        expires_at = datetime.fromisoformat(raw["expires_at"])
        token = raw["token"]
    except (ValueError, KeyError, TypeError):
        return None
    if not isinstance(token, str) or expires_at.tzinfo is None:
        return None
    return StoredToken(server, staff_no, token, expires_at.astimezone(UTC))


def _read_file() -> dict[str, str]:
    try:
        raw = json.loads(plaintext_file().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(raw, dict):
        return {}
    return {k: v for k, v in raw.items() if isinstance(k, str) and isinstance(v, str)}


def _write_file(entries: dict[str, str]) -> None:
    """Replace the plain file atomically; it is readable by its owner only (0600)."""
    path = plaintext_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        json.dump(entries, out)
    os.chmod(tmp, 0o600)  # in case the tmp file existed with wider permissions
    os.replace(tmp, path)
