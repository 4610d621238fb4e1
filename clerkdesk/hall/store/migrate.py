"""Bring the hall's database to the newest revision when the server starts (several processes
may start at once): a new database is built from the models, one that exists is migrated.

Almost every start finds the database already at the newest revision. That is checked first
with one query and the revision ids read from the migration files, without importing Alembic
(with Mako and Pygments behind it, about a seventh of a second of a workstation's start); Alembic
is imported and run only when a migration is pending, and then decides everything itself.
"""

from __future__ import annotations

import ast
import functools
import re
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import (
    Column,
    Connection,
    Engine,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    inspect,
    text,
)

if TYPE_CHECKING:
    from alembic.config import Config

_MIGRATIONS = Path(__file__).with_name("migrations")
_PG_LOCK = 0x434C45524B  # "CLERK": serialises concurrent upgrades of one PostgreSQL database
_ASSIGNMENT = re.compile(r"^(revision|down_revision)\b[^=\n]*=\s*(.+?)\s*$", re.MULTILINE)


def alembic_config() -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(_MIGRATIONS))
    return config


@functools.cache
def head_revisions() -> frozenset[str]:
    """The newest revision(s): those no migration file names as its down_revision."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in (_MIGRATIONS / "versions").glob("*.py"):
        found = dict(_ASSIGNMENT.findall(path.read_text(encoding="utf-8")))
        if "revision" not in found:
            continue
        revisions.add(ast.literal_eval(found["revision"]))
        down = ast.literal_eval(found.get("down_revision", "None"))
        parents.update([down] if isinstance(down, str) else down or ())
    return frozenset(revisions - parents)


def current_revisions(conn: Connection) -> frozenset[str]:
    """The revision(s) the database is at; empty for a database never migrated."""
    if not inspect(conn).has_table("alembic_version"):
        return frozenset()
    return frozenset(conn.scalars(text("SELECT version_num FROM alembic_version")))


def is_current(engine: Engine) -> bool:
    with engine.execution_options(clerkdesk_read=True).connect() as conn:
        return current_revisions(conn) == head_revisions()


def upgrade(engine: Engine) -> None:
    """Bring the database to the newest revision: a new, empty one is built from the models and
    stamped (`create_at_head`); one with tables goes through the migrations (`migrate`)."""
    if is_current(engine):
        return
    with engine.begin() as conn:
        _lock(conn)
        if not inspect(conn).get_table_names():
            create_at_head(conn)
        else:
            migrate(conn)


def _lock(conn: Connection) -> None:
    """One upgrade at a time: on PostgreSQL an advisory lock; on SQLite the write lock the
    transaction took (BEGIN IMMEDIATE)."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_LOCK})


def migrate(conn: Connection) -> None:
    """Run the Alembic migrations up to the newest revision, in `conn`'s transaction."""
    from alembic import command

    config = alembic_config()
    config.attributes["connection"] = conn
    command.upgrade(config, "head")


def create_at_head(conn: Connection) -> None:
    """A new database: the models' schema, marked as at the newest revision, in one transaction.

    What Alembic's cookbook advises ("building an up to date database from scratch"): the
    migrations are for databases that exist. A first start (the embedded hall, `clerkdesk
    demo`) then needs neither Alembic nor one table copy per migration (SQLite's batch mode),
    and a first start does not grow slower as migrations accumulate. The models and the
    migrations build the same schema: tests/test_migrations.py compares the two on SQLite and
    PostgreSQL, table by table, and Alembic finds nothing to migrate in either."""
    from clerkdesk.hall.store.models import Base

    Base.metadata.create_all(conn)
    version = Table(
        "alembic_version",
        MetaData(),
        Column("version_num", String(32), nullable=False),
        PrimaryKeyConstraint("version_num", name="alembic_version_pkc"),
    )
    version.create(conn)
    conn.execute(version.insert(), [{"version_num": head} for head in sorted(head_revisions())])
