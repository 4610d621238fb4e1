"""Alembic environment: the connection is handed in by clerkdesk.hall.store.migrate."""

from __future__ import annotations

from alembic import context

from clerkdesk.hall.store.models import Base, include_in_autogenerate

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - only `alembic` on the command line gets here
    raise RuntimeError("run migrations through clerkdesk.hall.store.migrate.upgrade(engine)")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
    include_object=include_in_autogenerate,
)
with context.begin_transaction():
    context.run_migrations()
