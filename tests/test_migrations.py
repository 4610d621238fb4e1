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

from clerkdesk.hall.store import migrate
from clerkdesk.hall.store.engine import make_engine, sqlite_url
from clerkdesk.hall.store.models import OPEN_SESSION_INDEXES, Base, include_in_autogenerate


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


def run_migrations(engine: Engine) -> None:
    """The Alembic path alone, as a database that exists takes it (`migrate.upgrade` builds a
    new, empty one from the models instead)."""
    with engine.begin() as conn:
        migrate.migrate(conn)


def _drop_everything(engine: Engine) -> None:
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        else:
            for table in reversed(inspect(conn).get_table_names()):
                conn.execute(text(f'DROP TABLE "{table}"'))


def _in_order(found: dict[str, object]) -> dict[str, list[list[str]]]:
    """Each table's columns, indexes, unique constraints and foreign keys, each list in a fixed
    order (SQLite reflects a rebuilt table's foreign keys in another order)."""
    return {
        table: [sorted(map(str, part)) for part in parts]  # type: ignore[attr-defined]
        for table, parts in found.items()
    }


def test_the_migrations_build_exactly_the_models_schema(engine: Engine) -> None:
    run_migrations(engine)
    with engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "include_object": include_in_autogenerate}
        )
        differences = compare_metadata(context, Base.metadata)
    assert differences == [], "models and migrations differ: write a migration for these"
    assert version(engine) == [head()]


def test_a_new_database_is_built_from_the_models_exactly_as_the_migrations_build_it(
    engine: Engine,
) -> None:
    """A first start builds the schema from the models and stamps it at the newest revision;
    every table, column, index (the one-open-session indexes' WHERE included), unique
    constraint, foreign key and the revision must be what the migrations give."""
    run_migrations(engine)
    migrated = _in_order(schema(engine))
    _drop_everything(engine)
    migrate.upgrade(engine)  # an empty database: the models' path
    assert _in_order(schema(engine)) == migrated
    assert version(engine) == [head()]
    with engine.connect() as conn:
        indexes = {i["name"]: i for i in inspect(conn).get_indexes("window_session")}
    for name, column in OPEN_SESSION_INDEXES.items():
        assert indexes[name]["unique"] and indexes[name]["column_names"] == [column]
        options = indexes[name].get("dialect_options", {})
        (where,) = [str(v) for k, v in options.items() if k.endswith("_where")]
        assert where.strip("()").lower() == "ended_at is null"


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
