"""What a workstation start does and does not do: a new hall, and a hall already at the newest
revision, open without Alembic; `clerkdesk demo` writes its demo staff without the production
argon2 cost; the start's objects are kept out of the garbage collector's passes."""

from __future__ import annotations

import gc
import subprocess
import sys
from pathlib import Path

from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from clerkdesk.demo import DEMO_PASSWORD, prepare_demo_database
from clerkdesk.hall.access.principal import verify_password
from clerkdesk.hall.store import migrate
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
