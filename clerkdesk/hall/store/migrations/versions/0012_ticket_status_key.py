"""the hall's key for ticket status links: a printed ticket's QR code carries an unguessable
token for GET /t/{token}, made from the ticket's id with this key (issue 15, the kiosk)

Revision ID: 0012
Revises: 0010
Create Date: 2026-12-12 10:00:00

"""
import secrets
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0012'
down_revision: Union[str, Sequence[str], None] = '0010'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Added in place (the hall table is referenced by every other: no batch rebuild); each
    existing hall gets a key of its own."""
    op.add_column('hall', sa.Column('status_key', sa.String(length=64), nullable=True))
    hall = sa.table('hall', sa.column('id', sa.Integer()), sa.column('status_key', sa.String()))
    conn = op.get_bind()
    for (hall_id,) in conn.execute(sa.select(hall.c.id)).all():
        conn.execute(
            hall.update().where(hall.c.id == hall_id).values(status_key=secrets.token_hex(32))
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == 'sqlite':
        op.execute('ALTER TABLE hall DROP COLUMN status_key')  # in place (SQLite 3.35+)
    else:
        op.drop_column('hall', 'status_key')
