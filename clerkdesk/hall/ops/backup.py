"""Backups of the hall's SQLite file while it serves, and restoring one.

A backup is SQLite's online backup (`sqlite3.Connection.backup`, all pages in one step): it
reads one snapshot of the database inside a read transaction, so it holds every transaction
committed before it began and nothing half-done, while the server goes on writing (WAL lets
the writer run beside the reader). The copy is written beside the target under a temporary
name, private to its owner (0600, as the hall's file), checked, and then renamed into place:
a backup that failed leaves nothing that looks like one.

A restore copies a checked backup into the hall's database file, refusing when another program
(a server, a workstation on the embedded hall) has that file open, and then migrates it to the
newest revision. PostgreSQL has its own tools for both (`pg_dump -Fc`, `pg_restore`)."""

from __future__ import annotations

import contextlib
import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import make_url

from clerkdesk.hall.store import migrate
from clerkdesk.hall.store.engine import private_sqlite_file, sqlite_url

HALL_TABLES = ("hall", "ticket", "event", "staff")
"""Tables every ClerkDesk hall has had since its first revision."""


class BackupProblem(Exception):
    """Why a backup or a restore was refused; `kind` names it for the command's message."""

    def __init__(self, kind: str, detail: str = "") -> None:
        super().__init__(f"{kind}: {detail}" if detail else kind)
        self.kind = kind
        self.detail = detail


@dataclass(frozen=True)
class Copied:
    path: Path
    revision: str
    tickets: int
    bytes: int


@dataclass(frozen=True)
class Restored:
    path: Path
    from_revision: str
    to_revision: str
    tickets: int


def sqlite_path(url: str) -> Path:
    """The file of a `sqlite:///PATH` URL; BackupProblem('postgresql') for a PostgreSQL one."""
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend == "postgresql":
        raise BackupProblem("postgresql")
    if backend != "sqlite" or not parsed.database or parsed.database == ":memory:":
        raise BackupProblem("not_a_file", parsed.render_as_string(hide_password=True))
    return Path(parsed.database)


def _connect(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None, timeout=30, check_same_thread=False)
    conn.execute("PRAGMA busy_timeout=30000")
    return conn


def _hall_facts(conn: sqlite3.Connection, what: Path) -> tuple[str, int]:
    """The revision and the number of tickets of a ClerkDesk hall file, after SQLite's own
    check; BackupProblem('not_a_hall') for anything else."""
    try:
        check = conn.execute("PRAGMA quick_check").fetchone()
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
    except sqlite3.DatabaseError as exc:
        raise BackupProblem("not_a_hall", f"{what}: {exc}") from None
    if check is None or check[0] != "ok":
        raise BackupProblem("damaged", f"{what}: {check[0] if check else '?'}")
    missing = [t for t in ("alembic_version", *HALL_TABLES) if t not in tables]
    if missing:
        raise BackupProblem("not_a_hall", f"{what}: no table {missing[0]}")
    revisions = [row[0] for row in conn.execute("SELECT version_num FROM alembic_version")]
    if len(revisions) != 1:
        raise BackupProblem("not_a_hall", f"{what}: {len(revisions)} revisions")
    tickets = int(conn.execute("SELECT count(*) FROM ticket").fetchone()[0])
    return revisions[0], tickets


def known_revision(revision: str) -> bool:
    """A revision of this version's migrations (the newest or an older one)."""
    from alembic.script import ScriptDirectory
    from alembic.util import CommandError

    script = ScriptDirectory.from_config(migrate.alembic_config())
    try:
        return script.get_revision(revision) is not None
    except CommandError:
        return False


def _companions(path: Path) -> list[Path]:
    return [path.with_name(path.name + end) for end in ("-wal", "-shm", "-journal")]


def backup(database_url: str, target: Path, *, overwrite: bool = False) -> Copied:
    """Copy the hall's SQLite database to `target` (0600), consistent while it serves."""
    source = sqlite_path(database_url)
    if not source.is_file():
        raise BackupProblem("no_database", str(source))
    if target.exists() and not overwrite:
        raise BackupProblem("target_exists", str(target))
    if target.resolve() == source.resolve():
        raise BackupProblem("same_file", str(target))
    partial = target.with_name(f".{target.name}.partial")
    for stale in (partial, *_companions(partial)):
        stale.unlink(missing_ok=True)
    private_sqlite_file(partial)  # made 0600 (and its folder 0700) before SQLite writes
    try:
        with (
            contextlib.closing(_connect(source)) as src,
            contextlib.closing(_connect(partial)) as dst,
        ):
            src.backup(dst)  # pages=-1: the whole snapshot in one step, one read transaction
            # One self-contained file: the hall turns WAL on again when it opens a restore.
            dst.execute("PRAGMA journal_mode=DELETE")
            revision, tickets = _hall_facts(dst, source)
        os.replace(partial, target)
    except BaseException:
        for leftover in (partial, *_companions(partial)):
            leftover.unlink(missing_ok=True)
        raise
    return Copied(target, revision, tickets, target.stat().st_size)


def in_use(path: Path) -> bool:
    """Another connection has the SQLite file open (a server's pool, a workstation): leaving
    WAL needs the file to itself, and SQLite says "locked" at once while anyone holds it."""
    conn = sqlite3.connect(path, isolation_level=None, timeout=0)
    try:
        conn.execute("PRAGMA journal_mode=DELETE").fetchone()
        return False
    except sqlite3.OperationalError as exc:
        if "locked" in str(exc) or "busy" in str(exc):
            return True
        raise
    finally:
        conn.close()


def check_backup(path: Path) -> tuple[str, int]:
    """A backup's revision and ticket count, once it is known to be a hall this version can
    bring up to date; BackupProblem otherwise."""
    if not path.is_file():
        raise BackupProblem("no_backup", str(path))
    with contextlib.closing(
        sqlite3.connect(f"file:{path}?mode=ro", uri=True, isolation_level=None)
    ) as conn:
        revision, tickets = _hall_facts(conn, path)
    if not known_revision(revision):
        raise BackupProblem("unknown_revision", revision)
    return revision, tickets


def restore(backup_file: Path, database_url: str, *, overwrite: bool = False) -> Restored:
    """Replace the hall's SQLite database with `backup_file`, then migrate it to the newest
    revision. Refused: a file that is not a hall at a known revision, a database that exists
    (unless `overwrite`), and one that another program has open."""
    from clerkdesk.hall.store.engine import make_engine

    target = sqlite_path(database_url)
    revision, _tickets = check_backup(backup_file)
    if target.exists():
        if not overwrite:
            raise BackupProblem("target_exists", str(target))
        if in_use(target):
            raise BackupProblem("in_use", str(target))
    if target.resolve() == backup_file.resolve():
        raise BackupProblem("same_file", str(target))
    private_sqlite_file(target)
    with (
        contextlib.closing(
            sqlite3.connect(f"file:{backup_file}?mode=ro", uri=True, isolation_level=None)
        ) as src,
        contextlib.closing(_connect(target)) as dst,
    ):
        # Locked while it copies: a program opening the hall now waits rather than reads half.
        dst.execute("PRAGMA locking_mode=EXCLUSIVE")
        src.backup(dst)
    engine = make_engine(sqlite_url(target))  # WAL again, file kept 0600
    try:
        migrate.upgrade(engine)
        with engine.connect() as conn:
            now_at = sorted(migrate.current_revisions(conn))
    finally:
        engine.dispose()
    with contextlib.closing(_connect(target)) as conn:
        _revision, tickets = _hall_facts(conn, target)
    return Restored(target, revision, ",".join(now_at), tickets)
