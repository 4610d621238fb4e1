"""What a workstation start does and does not do: a new hall, and a hall already at the newest
revision, open without Alembic; `clerkdesk demo` writes its demo staff without the production
argon2 cost; the start's objects are kept out of the garbage collector's passes."""

from __future__ import annotations

import gc
import socket
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from clerkdesk.cli import main
from clerkdesk.demo import DEMO_PASSWORD, prepare_demo_database
from clerkdesk.hall.access.principal import verify_password
from clerkdesk.hall.store import migrate, opening
from clerkdesk.hall.store.engine import make_engine, sqlite_url
from clerkdesk.hall.store.models import Department, Staff
from clerkdesk.launch import starting
from tests.conftest import local

ROOT = Path(__file__).resolve().parents[1]


def _alembic_imported_by_upgrade(url: str) -> bool:
    """Open the hall at `url` as a server start does, in a fresh process: was Alembic loaded?"""
    program = (
        "import sys\n"
        "from clerkdesk.hall.store import migrate\n"
        "from clerkdesk.hall.store.engine import make_engine\n"
        f"engine = make_engine({url!r})\n"
        "migrate.upgrade(engine)\n"
        "engine.dispose()\n"
        "print('alembic' in sys.modules)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, cwd=ROOT, check=True
    )
    return done.stdout.strip() == "True"


def _version(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return set(conn.scalars(text("SELECT version_num FROM alembic_version")))
    finally:
        engine.dispose()


def test_the_newest_revision_is_read_from_the_files_as_alembic_reads_it() -> None:
    script = ScriptDirectory.from_config(migrate.alembic_config())
    assert migrate.head_revisions() == set(script.get_heads())


def test_a_new_hall_and_a_hall_at_the_newest_revision_open_without_alembic(
    tmp_path: Path, _seeded_sqlite_file: Path
) -> None:
    fresh = sqlite_url(tmp_path / "new-office.sqlite3")
    assert not _alembic_imported_by_upgrade(fresh)  # a first start: built from the models
    assert _version(fresh) == migrate.head_revisions()
    assert not _alembic_imported_by_upgrade(fresh)  # every later start
    assert not _alembic_imported_by_upgrade(sqlite_url(_seeded_sqlite_file))


def test_a_hall_one_migration_behind_is_brought_to_the_newest(tmp_path: Path) -> None:
    script = ScriptDirectory.from_config(migrate.alembic_config())
    first = script.get_base()
    assert first is not None and first not in script.get_heads()
    url = sqlite_url(tmp_path / "last-year.sqlite3")
    engine = make_engine(url)
    try:
        config = migrate.alembic_config()
        with engine.begin() as conn:
            config.attributes["connection"] = conn
            command.upgrade(config, first)
        assert not migrate.is_current(engine)
    finally:
        engine.dispose()
    assert _alembic_imported_by_upgrade(url)  # a hall that exists is migrated by Alembic
    engine = make_engine(url)
    try:
        assert migrate.is_current(engine)
    finally:
        engine.dispose()
    assert _version(url) == set(script.get_heads())


def _staff(url: str) -> dict[str, tuple[str, str | None, str, bool]]:
    engine = make_engine(url)
    try:
        with Session(engine) as session:
            rows = session.execute(
                select(Staff, Department.code).outerjoin(
                    Department, Department.id == Staff.department_id
                )
            )
            return {s.staff_no: (s.name, code, s.roles, s.active) for s, code in rows}
    finally:
        engine.dispose()


def test_the_demo_staff_are_the_hall_files_staff_with_cheap_hashes_of_the_demo_password(
    tmp_path: Path, _seeded_sqlite_file: Path
) -> None:
    demo = prepare_demo_database(local("2026-12-11 08:00"), tmp_path)
    # The same people, departments and roles as `admin import` of the demo hall file writes.
    assert _staff(demo) == _staff(sqlite_url(_seeded_sqlite_file))
    engine = make_engine(demo)
    try:
        with Session(engine) as session:
            rows = session.execute(select(Staff.staff_no, Staff.password_hash))
            hashes = {staff_no: digest for staff_no, digest in rows}
    finally:
        engine.dispose()
    for staff_no in ("1001", "1002", "2001", "kiosk1"):  # 李华, 王芳, 张伟, the kiosk
        assert verify_password(hashes[staff_no], DEMO_PASSWORD), staff_no
        assert "$m=64,t=1,p=1$" in hashes[staff_no]  # argon2 at its smallest cost
    assert not verify_password(hashes["admin"], DEMO_PASSWORD)  # not a demo sign-in


def test_the_start_is_kept_out_of_the_garbage_collectors_passes() -> None:
    frozen_before = gc.get_freeze_count()
    try:
        assert gc.isenabled()
        with starting():
            assert not gc.isenabled()  # no collection while starting
            built = [{"window": n} for n in range(1000)]
        assert gc.isenabled()
        assert gc.get_freeze_count() >= frozen_before + len(built)
        gc.disable()  # a caller that had it off gets it back off
        with starting():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
        gc.unfreeze()


# --- a database that cannot be used, said in one line --------------------------------------


def test_a_hall_file_that_cannot_be_opened_is_said_in_one_line(tmp_path: Path) -> None:
    """`clerkdesk serve` on a path that is a folder, and under a folder that is a file: one
    line each, naming the database and what to check, and a non-zero exit; no traceback."""
    (tmp_path / "hall.sqlite3").mkdir()
    (tmp_path / "notes.txt").write_text("not a folder")
    for path in (tmp_path / "hall.sqlite3", tmp_path / "notes.txt" / "hall.sqlite3"):
        serve = ["serve", "--db", sqlite_url(path), "--port", "0"]
        done = subprocess.run(
            [sys.executable, "-m", "clerkdesk.cli", "--lang", "en", *serve],
            capture_output=True,
            text=True,
            cwd=ROOT,
            timeout=60,
        )
        assert done.returncode == 1, done.stderr
        [line] = done.stderr.splitlines()
        assert line.startswith(f"Cannot open or create the hall database {sqlite_url(path)} (")
        assert line.endswith("Check that its folder exists and that you may write there.")


def test_postgresql_not_answering_is_tried_again_a_few_times_then_said_in_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A centre's server boots before its database: `clerkdesk serve` says it waits, tries
    again after longer and longer pauses, and gives up with one line after the last."""
    with socket.socket() as probe:  # a port where nothing listens
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    paused: list[float] = []
    monkeypatch.setattr(opening, "pause", paused.append)
    url = f"postgresql+psycopg://clerk:secret@127.0.0.1:{port}/hall"
    assert main(["--lang", "en", "serve", "--db", url, "--port", "0"]) == 1
    assert paused == list(opening.RETRY_DELAYS_S)
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == len(paused) + 1
    shown = f"postgresql+psycopg://clerk:***@127.0.0.1:{port}/hall"  # never the password
    assert lines[0] == (
        f"The hall database {shown} does not answer yet (Connection refused); trying again in "
        f"1 s (try 1 of {len(paused) + 1})."
    )
    assert lines[-1] == (
        f"The hall database {shown} does not answer (Connection refused); gave up after "
        f"{len(paused) + 1} tries. Start PostgreSQL, or correct the host and port in --db."
    )


def test_postgresql_refusing_the_sign_in_is_said_at_once(
    postgres_admin: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    paused: list[float] = []
    monkeypatch.setattr(opening, "pause", paused.append)
    url = postgres_admin.rsplit("/", 1)[0] + "/no_such_hall_db"
    assert main(["--lang", "en", "admin", "--db", url, "calendar", "show"]) == 1
    assert paused == []  # asking again would not help
    [line] = capsys.readouterr().err.splitlines()
    assert 'refused the connection (database "no_such_hall_db" does not exist)' in line


# --- the SQLite file is its owner's ---------------------------------------------------------


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_hall_file_and_its_folder_are_readable_by_their_owner_only(
    tmp_path: Path,
) -> None:
    """The hall's file holds password hashes and citizens' notes."""
    path = tmp_path / "office" / "hall.sqlite3"
    engine = make_engine(sqlite_url(path))
    try:
        migrate.upgrade(engine)
        with engine.connect() as conn:  # open: its -wal and -shm files exist
            conn.execute(text("SELECT count(*) FROM staff"))
            companions = [path.with_name(path.name + end) for end in ("-wal", "-shm")]
            assert all(p.exists() for p in companions)
            assert {p.name: _mode(p) for p in (path, *companions)} == {
                "hall.sqlite3": 0o600,
                "hall.sqlite3-wal": 0o600,
                "hall.sqlite3-shm": 0o600,
            }
    finally:
        engine.dispose()
    assert _mode(path.parent) == 0o700


def test_a_hall_file_made_readable_by_others_is_narrowed_at_the_next_start(
    tmp_path: Path,
) -> None:
    """A hall file an earlier ClerkDesk made 0644 is its owner's again once opened."""
    path = tmp_path / "hall.sqlite3"
    engine = make_engine(sqlite_url(path))
    migrate.upgrade(engine)
    engine.dispose()
    path.chmod(0o644)
    make_engine(sqlite_url(path)).dispose()
    assert _mode(path) == 0o600
