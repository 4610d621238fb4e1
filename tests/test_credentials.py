"""The sign-in token between starts: in the OS keyring where there is a secure one, in memory on a
headless box (said once), in a 0600 plain file only when the user opted in."""

from __future__ import annotations

import json
import stat
from collections.abc import Iterator
from datetime import timedelta

import keyring
import keyring.core
import pytest
from keyring.backend import KeyringBackend
from keyring.backends import fail, null
from keyring.backends.chainer import ChainerBackend
from keyring.errors import KeyringLocked
from keyrings.alt.file import PlaintextKeyring

from clerkdesk.clock import ManualClock
from clerkdesk.config import data_dir
from clerkdesk.credentials import (
    SERVICE,
    TokenStore,
    entry_name,
    is_secure_backend,
    plaintext_file,
)
from tests.conftest import local
from tests.keyring_memory import MemoryKeyring

SERVER = "http://hall.example:8000"
OTHER_SERVER = "http://127.0.0.1:8765"
LI_HUA = "1001"
WANG_FANG = "1008"


@pytest.fixture
def memory(monkeypatch: pytest.MonkeyPatch) -> Iterator[MemoryKeyring]:
    """The process-wide keyring is an in-memory one for the test, then restored."""
    backend = MemoryKeyring()
    monkeypatch.setattr(keyring.core, "_keyring_backend", backend)
    yield backend


def test_li_hua_resumes_without_a_password_after_a_restart(
    memory: MemoryKeyring, clock: ManualClock
) -> None:
    expires = clock.now() + timedelta(hours=9)
    store = TokenStore(clock=clock)
    assert (store.place, store.secure, store.notice) == ("keyring", True, None)
    store.save(SERVER, LI_HUA, "tok-li", expires)

    restarted = TokenStore(clock=clock)  # uses keyring.get_keyring(): the memory backend
    stored = restarted.load(SERVER, LI_HUA)
    assert stored is not None
    assert (stored.server, stored.staff_no, stored.token, stored.expires_at) == (
        SERVER,
        LI_HUA,
        "tok-li",
        expires,
    )
    raw = json.loads(memory.entries[(SERVICE, f"{SERVER}|{LI_HUA}")])
    assert raw["token"] == "tok-li"
    assert not plaintext_file().exists()


def test_one_entry_per_server_and_staff_number(memory: MemoryKeyring, clock: ManualClock) -> None:
    store = TokenStore(clock=clock)
    later = clock.now() + timedelta(hours=1)
    store.save(SERVER, LI_HUA, "li-here", later)
    store.save(OTHER_SERVER, LI_HUA, "li-there", later)
    store.save(SERVER, WANG_FANG, "wang-here", later)
    store.save(SERVER + "/", LI_HUA, "li-here-again", later)  # same server, trailing slash

    assert set(memory.entries) == {
        (SERVICE, entry_name(SERVER, LI_HUA)),
        (SERVICE, entry_name(OTHER_SERVER, LI_HUA)),
        (SERVICE, entry_name(SERVER, WANG_FANG)),
    }
    tokens = [store.load(s, n) for s, n in [(SERVER, LI_HUA), (OTHER_SERVER, LI_HUA)]]
    assert [t.token if t else None for t in tokens] == ["li-here-again", "li-there"]
    wang = store.load(SERVER, WANG_FANG)
    assert wang is not None and wang.token == "wang-here"


def test_an_expired_token_is_not_offered_and_is_removed(
    memory: MemoryKeyring, clock: ManualClock
) -> None:
    store = TokenStore(clock=clock)
    store.save(SERVER, LI_HUA, "tok", local("2026-12-11 18:00"))

    clock.set(local("2026-12-11 17:59"))
    assert store.load(SERVER, LI_HUA) is not None
    clock.set(local("2026-12-11 18:00"))
    assert store.load(SERVER, LI_HUA) is None
    assert memory.entries == {}


def test_logout_deletes_the_entry(memory: MemoryKeyring, clock: ManualClock) -> None:
    store = TokenStore(clock=clock)
    store.save(SERVER, LI_HUA, "tok", clock.now() + timedelta(hours=1))
    store.save(SERVER, WANG_FANG, "other", clock.now() + timedelta(hours=1))
    store.delete(SERVER, LI_HUA)
    store.delete(SERVER, LI_HUA)  # twice is fine
    assert store.load(SERVER, LI_HUA) is None
    assert set(memory.entries) == {(SERVICE, entry_name(SERVER, WANG_FANG))}


def test_an_unreadable_entry_counts_as_none(memory: MemoryKeyring, clock: ManualClock) -> None:
    memory.set_password(SERVICE, entry_name(SERVER, LI_HUA), "not json")
    assert TokenStore(clock=clock).load(SERVER, LI_HUA) is None
    assert memory.entries == {}


def test_expiry_must_be_an_aware_time(memory: MemoryKeyring, clock: ManualClock) -> None:
    with pytest.raises(ValueError, match="aware"):
        TokenStore(clock=clock).save(SERVER, LI_HUA, "tok", clock.now().replace(tzinfo=None))


@pytest.mark.parametrize("backend_class", [fail.Keyring, null.Keyring, PlaintextKeyring])
def test_headless_box_keeps_the_token_in_memory_and_says_so(
    monkeypatch: pytest.MonkeyPatch, clock: ManualClock, backend_class: type[KeyringBackend]
) -> None:
    backend = backend_class()
    monkeypatch.setattr(keyring.core, "_keyring_backend", backend)
    wrote: list[str] = []
    monkeypatch.setattr(backend, "set_password", lambda *args: wrote.append(args[1]))

    store = TokenStore(clock=clock)
    assert (store.place, store.secure) == ("memory", False)
    assert store.notice == "No system keyring here: you will sign in again after a restart."
    store.save(SERVER, LI_HUA, "tok", clock.now() + timedelta(hours=1))
    stored = store.load(SERVER, LI_HUA)
    assert stored is not None and stored.token == "tok"

    assert wrote == []  # the insecure backend was never asked to keep it
    assert TokenStore(clock=clock).load(SERVER, LI_HUA) is None  # gone after a restart
    assert not data_dir().exists() or list(data_dir().iterdir()) == []


def test_a_chainer_is_as_secure_as_the_backend_it_writes_to(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(ChainerBackend, "backends", [MemoryKeyring(), PlaintextKeyring()])
    assert is_secure_backend(ChainerBackend())
    monkeypatch.setattr(ChainerBackend, "backends", [PlaintextKeyring()])
    assert not is_secure_backend(ChainerBackend())
    monkeypatch.setattr(ChainerBackend, "backends", [])
    assert not is_secure_backend(ChainerBackend())


def test_plaintext_file_only_when_the_user_opted_in(
    monkeypatch: pytest.MonkeyPatch, clock: ManualClock
) -> None:
    monkeypatch.setattr(keyring.core, "_keyring_backend", fail.Keyring())
    store = TokenStore(allow_plaintext_file=True, clock=clock)
    assert (store.place, store.secure) == ("plaintext-file", False)
    assert store.notice is not None and str(plaintext_file()) in store.notice

    store.save(SERVER, LI_HUA, "tok-li", clock.now() + timedelta(hours=1))
    store.save(SERVER, WANG_FANG, "tok-wang", clock.now() + timedelta(hours=1))
    path = plaintext_file()
    assert path.parent == data_dir()
    assert "PLAINTEXT" in path.name
    assert stat.S_IMODE(path.stat().st_mode) == 0o600

    restarted = TokenStore(allow_plaintext_file=True, clock=clock)
    stored = restarted.load(SERVER, LI_HUA)
    assert stored is not None and stored.token == "tok-li"
    restarted.delete(SERVER, LI_HUA)
    assert restarted.load(SERVER, LI_HUA) is None
    assert set(json.loads(path.read_text())) == {entry_name(SERVER, WANG_FANG)}
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_opt_in_changes_nothing_where_a_secure_keyring_exists(
    memory: MemoryKeyring, clock: ManualClock
) -> None:
    store = TokenStore(allow_plaintext_file=True, clock=clock)
    store.save(SERVER, LI_HUA, "tok", clock.now() + timedelta(hours=1))
    assert (store.place, store.notice) == ("keyring", None)
    assert not plaintext_file().exists()
    assert len(memory.entries) == 1


def test_a_locked_keyring_falls_back_to_memory_with_a_notice(
    memory: MemoryKeyring, monkeypatch: pytest.MonkeyPatch, clock: ManualClock
) -> None:
    def refuse(service: str, username: str, password: str) -> None:
        raise KeyringLocked("the login keyring is locked")

    monkeypatch.setattr(memory, "set_password", refuse)
    store = TokenStore(clock=clock)
    store.save(SERVER, LI_HUA, "tok", clock.now() + timedelta(hours=1))
    assert (store.place, store.secure) == ("memory", False)
    assert store.notice is not None and "locked" in store.notice
    stored = store.load(SERVER, LI_HUA)
    assert stored is not None and stored.token == "tok"


def test_the_memory_backend_can_be_chosen_by_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "tests.keyring_memory.MemoryKeyring")
    backend = keyring.core.load_env()
    assert isinstance(backend, MemoryKeyring)
    assert is_secure_backend(backend)


def test_the_demos_memory_only_store_keeps_a_sign_in_for_the_run_and_says_nothing(
    memory: MemoryKeyring, clock: ManualClock
) -> None:
    store = TokenStore.memory_only(clock)
    assert (store.place, store.secure, store.notice) == ("memory", False, None)
    store.save(SERVER, LI_HUA, "tok", clock.now() + timedelta(hours=8))
    loaded = store.load(SERVER, LI_HUA)
    assert loaded is not None and loaded.token == "tok"
    assert memory.get_password("clerkdesk", f"{SERVER}|{LI_HUA}") is None  # not in the keyring
    store.delete(SERVER, LI_HUA)
    assert store.load(SERVER, LI_HUA) is None


def test_the_keyring_is_chosen_on_first_use_not_at_start(
    memory: MemoryKeyring, clock: ManualClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The workstation makes its store before the first screen; asking keyring for a backend
    (about 0.15 s) waits for the first load or save, which run in a worker thread."""
    asked: list[KeyringBackend] = []

    def get_keyring() -> KeyringBackend:
        asked.append(memory)
        return memory

    monkeypatch.setattr(keyring, "get_keyring", get_keyring)
    store = TokenStore(clock=clock)
    assert asked == []
    assert store.load(SERVER, LI_HUA) is None
    store.save(SERVER, LI_HUA, "tok", clock.now() + timedelta(hours=8))
    assert (store.place, store.secure, store.notice) == ("keyring", True, None)
    assert len(asked) == 1
    assert memory.get_password("clerkdesk", f"{SERVER}|{LI_HUA}") is not None
