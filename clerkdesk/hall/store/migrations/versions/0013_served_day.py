"""each window's serving time per service and service day, kept as cases finish: the hall
monitor reads these few rows instead of summing the day's tickets on every read (issue 13,
item 7); filled from the tickets already served

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03 17:00:00
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0013'
down_revision: Union[str, Sequence[str], None] = '0012'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('served_day',
    sa.Column('local_date', sa.Date(), nullable=False),
    sa.Column('window_id', sa.Integer(), nullable=False),
    sa.Column('service_id', sa.Integer(), nullable=False),
    sa.Column('hall_id', sa.Integer(), nullable=False),
    sa.Column('served_ms', sa.BigInteger(), nullable=False),
    sa.Column('cases', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['hall_id'], ['hall.id'], ),
    sa.ForeignKeyConstraint(['service_id'], ['service.id'], ),
    sa.ForeignKeyConstraint(['window_id'], ['window.id'], ),
    sa.PrimaryKeyConstraint('local_date', 'window_id', 'service_id')
    )
    op.create_index('ix_served_day_hall_day', 'served_day', ['hall_id', 'local_date'], unique=False)
    # The tickets served so far, as tickets.served counts them (finished minus started).
    if op.get_bind().dialect.name == 'postgresql':
        seconds = 'EXTRACT(EPOCH FROM finished_at - started_at)'
    else:
        seconds = '(julianday(finished_at) - julianday(started_at)) * 86400.0'
    op.execute(
        'INSERT INTO served_day (local_date, window_id, service_id, hall_id, served_ms, cases) '
        f'SELECT local_date, window_id, service_id, hall_id, SUM(ROUND({seconds} * 1000)), '
        'COUNT(*) FROM ticket WHERE started_at IS NOT NULL AND finished_at IS NOT NULL '
        'AND window_id IS NOT NULL GROUP BY local_date, window_id, service_id, hall_id'
    )


def downgrade() -> None:
    op.drop_index('ix_served_day_hall_day', table_name='served_day')
    op.drop_table('served_day')
