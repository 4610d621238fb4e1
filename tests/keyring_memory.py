"""An in-memory keyring backend for tests: nothing reaches the user's real credential store.

Select it with `keyring.set_keyring(MemoryKeyring())` in a fixture, or for a subprocess with
`PYTHON_KEYRING_BACKEND=tests.keyring_memory.MemoryKeyring`.
"""

from __future__ import annotations

from keyring.backend import KeyringBackend
from keyring.errors import PasswordDeleteError


class MemoryKeyring(KeyringBackend):
    """A recommended (priority >= 1) backend that keeps entries in a dict of this instance."""

    priority = 50  # recommended (>= 1), above any real backend

    def __init__(self) -> None:
        super().__init__()
        self.entries: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.entries.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.entries[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        try:
            del self.entries[(service, username)]
        except KeyError:
            raise PasswordDeleteError(f"no entry {username!r} in {service!r}") from None
