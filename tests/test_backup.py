"""Backups of the embedded hall's SQLite file: `clerkdesk admin backup` while the hall serves,
and `clerkdesk admin restore`.

Friday 2026-12-11, 10:00, the load hall: the kiosk (LK1) issues tickets while the clerks of
windows 1-3 call and serve them, and the admin takes a backup in the middle of it with the real
command, in a process of its own. Every ticket the kiosk had been answered for before the
backup began is in the restored hall, and so is every call a clerk had been answered for.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import stat
import sys
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy.orm import Session

from clerkdesk.api import errors
from clerkdesk.api.client import HallClient
from clerkdesk.api.schemas import TicketOut
from clerkdesk.cli.main import main
from clerkdesk.clock import ManualClock
from clerkdesk.hall.setup import hall_file
from clerkdesk.hall.store import migrate
from clerkdesk.hall.store.engine import make_engine, sqlite_url
from tests.conftest import local, start_hall
from tests.load_helpers import (
    HALL_START,
    KIOSK,
    LOAD_PASSWORD,
    ROOT,
    SERVICES,
    ServerProcess,
    audit_hall,
    clerk_no,
    load_hall_spec,
    seed_load_hall,
)

WINDOWS = 3
AFTER = 20  # the kiosk goes on for this many tickets once the backup is written
MOST = 400  # a bound on the whole day, whatever the speed of the machine


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


async def clerkdesk(*args: str) -> tuple[int, str]:
    """The `clerkdesk` command in a process of its own, as an admin runs it."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "clerkdesk.cli",
        "--lang",
        "en",
        *args,
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
        env={**os.environ, "LANG": "C.UTF-8"},
    )
    out, _ = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode is not None
    return process.returncode, out.decode()


async def test_a_backup_taken_while_the_hall_serves_holds_every_acknowledged_ticket(
    tmp_path: Path,
) -> None:
    url = sqlite_url(tmp_path / "hall.sqlite3")
    seed_load_hall(url, HALL_START, WINDOWS)
    server = ServerProcess.start(url, tmp_path / "server.log")
    clients: list[HallClient] = []
    try:
        kiosk = HallClient(server.url, retry_delays=())
        await kiosk.login(KIOSK, LOAD_PASSWORD)
        clients.append(kiosk)
        for n in range(1, WINDOWS + 1):
            clerk = HallClient(server.url, retry_delays=())
            await clerk.login(clerk_no(n), LOAD_PASSWORD)
            await clerk.sign_in(n)
            clients.append(clerk)
        issued: list[TicketOut] = []
        called: list[TicketOut] = []
        kiosk_done = asyncio.Event()
        backed_up: list[int] = []  # the tickets issued when the backup command ended

        async def kiosk_issues() -> None:
            for i in range(MOST):
                if backed_up and len(issued) >= backed_up[0] + AFTER:
                    return
                issued.append(await kiosk.issue(SERVICES[i % len(SERVICES)]))

        async def clerk_serves(clerk: HallClient, window: int) -> None:
            while True:
                try:
                    ticket = await clerk.call_next(window)
                except errors.ApiError:  # nobody waiting for this window just now
                    if kiosk_done.is_set():
                        return
                    await asyncio.sleep(0.02)
                    continue
                called.append(ticket)
                await clerk.start(ticket.id)
                await clerk.complete(ticket.id)

        async def kiosk_day() -> None:
            await asyncio.gather(kiosk_issues(), kiosk_issues())  # two lanes side by side
            kiosk_done.set()

        load = asyncio.gather(
            kiosk_day(), *(clerk_serves(c, n) for n, c in enumerate(clients[1:], start=1))
        )
        while len(issued) < 20:
            await asyncio.sleep(0.01)
        issued_before, called_before = list(issued), list(called)
        backup_file = tmp_path / "backups" / "hall-friday.sqlite3"
        status, out = await clerkdesk("admin", "--db", url, "backup", str(backup_file))
        assert status == 0, out
        backed_up.append(len(issued))
        await asyncio.wait_for(load, 60)
    finally:
        for client in clients:
            await client.aclose()
        server.stop()

    assert "Backup of" in out and "hall-friday.sqlite3" in out
    assert len(issued) > backed_up[0] > len(issued_before), "the kiosk issued all along"
    assert mode(backup_file) == 0o600
    assert mode(backup_file.parent) == 0o700  # made by the backup: only the owner may look

    restored = tmp_path / "restored" / "hall.sqlite3"
    restore = ["--lang", "en", "admin", "--db", sqlite_url(restored), "restore"]
    assert main([*restore, str(backup_file)]) == 0
    assert mode(restored) == 0o600

    engine = make_engine(sqlite_url(restored))
    try:
        audit = audit_hall(engine)
    finally:
        engine.dispose()
    # One snapshot: every ticket's history and events agree. Tickets at a counter (called,
    # being served) are normal in the middle of the day; the audit expects a finished one.
    at_counter = [
        f"is {state} with 0 terminal steps; its history says {state}"
        for state in ("called", "serving")
    ]
    assert [p for p in audit.problems if not p.endswith(tuple(at_counter))] == []
    assert audit.double_calls == 0
    assert issued_before and called_before
    assert {t.id for t in issued_before} <= set(audit.calls)
    assert all(audit.calls[t.id] >= 1 for t in called_before)
    assert audit.tickets < len(issued)  # a snapshot of the middle of the day, not its end

    # The restored hall serves: the kiosk finds each of those tickets by its id.
    hall = start_hall(sqlite_url(restored), ManualClock(HALL_START), seeded=True)
    try:
        async with HallClient(hall.url, retry_delays=()) as kiosk:
            await kiosk.login(KIOSK, LOAD_PASSWORD)
            for ticket in issued_before:
                assert (await kiosk.ticket(ticket.id)).code == ticket.code
    finally:
        hall.server.stop()


def _hall_at(path: Path, revision: str | None = None) -> str:
    """A load hall in its own file: at the newest revision, or built by the migrations up to
    an older `revision` (a backup an older ClerkDesk made)."""
    url = sqlite_url(path)
    if revision is None:
        seed_load_hall(url, HALL_START, 1)
        return url
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            config = migrate.alembic_config()
            config.attributes["connection"] = conn
            command.upgrade(config, revision)
    finally:
        engine.dispose()
    return url


def test_a_backup_from_an_older_version_is_brought_to_the_newest_revision(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    old = tmp_path / "hall-2025.sqlite3"
    _hall_at(old, "0001")
    target = tmp_path / "hall.sqlite3"

    assert main(["--lang", "en", "admin", "--db", sqlite_url(target), "restore", str(old)]) == 0

    said = capsys.readouterr().out
    newest = ",".join(sorted(migrate.head_revisions()))
    assert f"revision 0001 brought to {newest}" in said
    engine = make_engine(sqlite_url(target))
    try:
        assert migrate.is_current(engine)
        with Session(engine) as session, session.begin():  # and it takes today's hall file
            hall_file.import_hall(session, load_hall_spec(2), local("2026-12-11 08:00"))
    finally:
        engine.dispose()


def test_restore_refuses_what_would_lose_or_break_a_hall(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    backup_file = tmp_path / "backup.sqlite3"
    _hall_at(backup_file)
    here = tmp_path / "hall.sqlite3"
    _hall_at(here)
    before = here.read_bytes()

    def restore(*extra: str) -> tuple[int, str]:
        status = main(["--lang", "en", "admin", "--db", sqlite_url(here), "restore", *extra])
        return status, capsys.readouterr().err.strip()

    # A hall is there: it is replaced only when asked in so many words.
    status, said = restore(str(backup_file))
    assert status == 2 and "exists already" in said and "--force" in said
    assert here.read_bytes() == before

    # A running hall service has it open: never, --force or not.
    hall = start_hall(sqlite_url(here), ManualClock(HALL_START), seeded=True)
    try:
        status, said = restore(str(backup_file), "--force")
    finally:
        hall.server.stop()
    assert status == 1 and "stop it first" in said

    # Not a hall: a text file, an SQLite file of something else, a hall from a newer ClerkDesk.
    notes = tmp_path / "notes.txt"
    notes.write_text("今日值班：张伟\n" * 50, encoding="utf-8")
    status, said = restore(str(notes), "--force")
    assert status == 2 and "Not a ClerkDesk hall backup" in said
    other = tmp_path / "other.sqlite3"
    engine = make_engine(sqlite_url(other))
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE ledger (id INTEGER PRIMARY KEY)")
    engine.dispose()
    status, said = restore(str(other), "--force")
    assert status == 2 and "Not a ClerkDesk hall backup" in said
    newer = tmp_path / "newer.sqlite3"
    shutil.copyfile(backup_file, newer)
    engine = make_engine(sqlite_url(newer))
    with engine.begin() as conn:
        conn.exec_driver_sql("UPDATE alembic_version SET version_num = '0099'")
    engine.dispose()
    status, said = restore(str(newer), "--force")
    assert status == 2 and "revision 0099" in said and "does not know" in said

    # With the hall service stopped and --force: replaced.
    assert restore(str(backup_file), "--force")[0] == 0


def test_postgresql_halls_are_pointed_to_pg_dump(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    city = "postgresql+psycopg://clerkdesk:secret@db.example/city"
    backup_file = tmp_path / "city.dump"
    assert main(["--lang", "en", "admin", "--db", city, "backup", str(backup_file)]) == 2
    said = capsys.readouterr().err
    assert said.count("\n") == 1 and "pg_dump -Fc" in said and "secret" not in said
    assert not backup_file.exists()
    assert main(["--lang", "en", "admin", "--db", city, "restore", str(backup_file)]) == 2
    assert "pg_restore" in capsys.readouterr().err


def test_a_backup_does_not_overwrite_a_file_unless_asked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = _hall_at(tmp_path / "hall.sqlite3")
    target = tmp_path / "monday.sqlite3"
    target.write_text("Monday's backup")
    assert main(["--lang", "en", "admin", "--db", url, "backup", str(target)]) == 2
    assert "exists already" in capsys.readouterr().err
    assert target.read_text() == "Monday's backup"
    assert main(["--lang", "en", "admin", "--db", url, "backup", str(target), "--force"]) == 0
    assert mode(target) == 0o600
    assert target.read_bytes()[:16] == b"SQLite format 3\x00"
