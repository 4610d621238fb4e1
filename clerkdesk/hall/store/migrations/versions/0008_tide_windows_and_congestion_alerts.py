"""tide windows (潮汐窗口) with their services and who opened and ended them; congestion alert
rules per service and the alerts raised; reserve windows; an index for the day's sums
(issue 13)

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03 14:40:00
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0008'
down_revision: Union[str, Sequence[str], None] = '0007'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

_MOMENT = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table('service_alert',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('hall_id', sa.Integer(), nullable=False),
    sa.Column('service_id', sa.Integer(), nullable=False),
    sa.Column('raised_at', _MOMENT, nullable=False),
    sa.Column('cleared_at', _MOMENT, nullable=True),
    sa.Column('waiting', sa.Integer(), nullable=False),
    sa.Column('longest_wait_s', sa.Integer(), nullable=False),
    sa.Column('estimated_wait_s', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['hall_id'], ['hall.id'], ),
    sa.ForeignKeyConstraint(['service_id'], ['service.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_service_alert_service_open', 'service_alert', ['service_id', 'cleared_at'], unique=False)
    op.create_table('service_alert_rule',
    sa.Column('service_id', sa.Integer(), nullable=False),
    sa.Column('waiting', sa.Integer(), nullable=True),
    sa.Column('longest_wait_minutes', sa.Integer(), nullable=True),
    sa.Column('estimated_wait_minutes', sa.Integer(), nullable=True),
    sa.Column('clear_percent', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['service_id'], ['service.id'], ),
    sa.PrimaryKeyConstraint('service_id')
    )
    op.create_table('tide_window',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('hall_id', sa.Integer(), nullable=False),
    sa.Column('window_id', sa.Integer(), nullable=False),
    sa.Column('started_at', _MOMENT, nullable=False),
    sa.Column('until', _MOMENT, nullable=True),
    sa.Column('ended_at', _MOMENT, nullable=True),
    sa.Column('started_by_id', sa.Integer(), nullable=False),
    sa.Column('ended_by_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('end_reason', sa.String(length=16), nullable=True),
    sa.Column('clerk_id', sa.Integer(), nullable=True),
    sa.Column('reserve', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['clerk_id'], ['staff.id'], ),
    sa.ForeignKeyConstraint(['ended_by_id'], ['staff.id'], ),
    sa.ForeignKeyConstraint(['hall_id'], ['hall.id'], ),
    sa.ForeignKeyConstraint(['started_by_id'], ['staff.id'], ),
    sa.ForeignKeyConstraint(['window_id'], ['window.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_tide_window_window_open', 'tide_window', ['window_id', 'ended_at'], unique=False)
    op.create_table('tide_service',
    sa.Column('tide_id', sa.Integer(), nullable=False),
    sa.Column('service_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['service_id'], ['service.id'], ),
    sa.ForeignKeyConstraint(['tide_id'], ['tide_window.id'], ),
    sa.PrimaryKeyConstraint('tide_id', 'service_id')
    )
    # In place, not through batch mode: rebuilding `window` would drop a table every ticket
    # and sign-in points at, which SQLite's foreign keys refuse.
    op.add_column(
        'window', sa.Column('reserve', sa.Boolean(), nullable=False, server_default=sa.false())
    )
    op.create_index(
        'ix_ticket_day',
        'ticket',
        ['hall_id', 'local_date', 'window_id', 'service_id', 'status', 'started_at', 'finished_at'],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index('ix_ticket_day', table_name='ticket')
    if op.get_bind().dialect.name == 'sqlite':
        # In place (SQLite 3.35+), for the same reason.
        op.execute('ALTER TABLE "window" DROP COLUMN reserve')
    else:
        op.drop_column('window', 'reserve')
    op.drop_table('tide_service')
    op.drop_index('ix_tide_window_window_open', table_name='tide_window')
    op.drop_table('tide_window')
    op.drop_table('service_alert_rule')
    op.drop_index('ix_service_alert_service_open', table_name='service_alert')
    op.drop_table('service_alert')
