"""The migrations build exactly the schema the models describe, on SQLite and PostgreSQL; running
them again changes nothing; servers starting together on one database all come up."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect, text
from sqlalchemy.sql import ClauseElement
from sqlalchemy.types import TypeEngine

from clerkdesk.hall import migrate
from clerkdesk.hall.db import make_engine, sqlite_url
from clerkdesk.hall.models import Base


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return sqlite_url(tmp_path / "hall.sqlite3")
    return str(request.getfixturevalue("pg_url"))


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


def head() -> str:
    return str(ScriptDirectory.from_config(migrate.alembic_config()).get_current_head())


def version(engine: Engine) -> list[str]:
    with engine.connect() as conn:
        return [row[0] for row in conn.execute(text("SELECT version_num FROM alembic_version"))]


def _plain(value: object) -> object:
    """Reflected values made comparable: SQL fragments (partial index WHERE) as their text."""
    if isinstance(value, dict):
        return sorted((k, _plain(v)) for k, v in value.items())
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, ClauseElement | TypeEngine):
        return str(value)
    return value


def schema(engine: Engine) -> dict[str, object]:
    """Every table's columns, indexes, unique constraints and foreign keys, as reflected."""
    with engine.connect() as conn:
        found = inspect(conn)
        return {
            table: _plain(
                [
                    found.get_columns(table),
                    sorted((_plain(i) for i in found.get_indexes(table)), key=str),
                    found.get_unique_constraints(table),
                    found.get_foreign_keys(table),
                ]
            )
            for table in sorted(found.get_table_names())
        }


def test_the_migrations_build_exactly_the_models_schema(engine: Engine) -> None:
    migrate.upgrade(engine)
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)
    assert differences == [], "models and migrations differ: write a migration for these"
    assert version(engine) == [head()]


def test_upgrading_again_changes_nothing(engine: Engine) -> None:
    migrate.upgrade(engine)
    before = schema(engine)
    migrate.upgrade(engine)
    assert schema(engine) == before
    assert version(engine) == [head()]


def test_every_table_of_the_models_exists_after_upgrade(engine: Engine) -> None:
    migrate.upgrade(engine)
    with engine.connect() as conn:
        tables = set(inspect(conn).get_table_names())
    assert set(Base.metadata.tables) <= tables


def test_servers_starting_together_on_one_database_all_come_up(database_url: str) -> None:
    """Four processes' worth of start-ups race to migrate one fresh database."""
    starters = 4
    barrier = threading.Barrier(starters)
    failures: list[BaseException] = []

    def start() -> None:
        engine = make_engine(database_url)
        try:
            barrier.wait()
            migrate.upgrade(engine)
        except BaseException as exc:  # collected and reported below
            failures.append(exc)
        finally:
            engine.dispose()

    threads = [threading.Thread(target=start) for _ in range(starters)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)
    assert failures == []
    engine = make_engine(database_url)
    try:
        assert version(engine) == [head()]
    finally:
        engine.dispose()
