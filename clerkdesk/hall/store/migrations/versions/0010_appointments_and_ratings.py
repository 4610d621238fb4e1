"""appointments (预约): the hall's check-in rules, each service's slot rule, the bookings;
ratings (好差评) of completed cases, one per ticket (issue 15)

Revision ID: 0010
Revises: 0008 (0009 is another change of issue 15; the chain is set when they meet)
Create Date: 2026-12-04 10:00:00
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0010'
down_revision: Union[str, Sequence[str], None] = '0008'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

_MOMENT = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table('appointment_policy',
    sa.Column('hall_id', sa.Integer(), nullable=False),
    sa.Column('early_minutes', sa.Integer(), nullable=False),
    sa.Column('grace_minutes', sa.Integer(), nullable=False),
    sa.Column('days_ahead', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['hall_id'], ['hall.id'], ),
    sa.PrimaryKeyConstraint('hall_id')
    )
    op.create_table('appointment_rule',
    sa.Column('service_id', sa.Integer(), nullable=False),
    sa.Column('slot_minutes', sa.Integer(), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=False),
    sa.Column('sessions', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['service_id'], ['service.id'], ),
    sa.PrimaryKeyConstraint('service_id')
    )
    op.create_table('appointment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('hall_id', sa.Integer(), nullable=False),
    sa.Column('service_id', sa.Integer(), nullable=False),
    sa.Column('local_date', sa.Date(), nullable=False),
    sa.Column('slot_start', _MOMENT, nullable=False),
    sa.Column('slot_end', _MOMENT, nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('code', sa.String(length=8), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('name', sa.String(length=50), nullable=False),
    sa.Column('phone', sa.String(length=32), nullable=False),
    sa.Column('booked_at', _MOMENT, nullable=False),
    sa.Column('booked_by_id', sa.Integer(), nullable=False),
    sa.Column('check_in_until', _MOMENT, nullable=False),
    sa.Column('checked_in_at', _MOMENT, nullable=True),
    sa.Column('ticket_id', sa.Integer(), nullable=True),
    sa.Column('cancelled_at', _MOMENT, nullable=True),
    sa.Column('cancelled_by_id', sa.Integer(), nullable=True),
    sa.Column('cancel_reason', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['booked_by_id'], ['staff.id'], ),
    sa.ForeignKeyConstraint(['cancelled_by_id'], ['staff.id'], ),
    sa.ForeignKeyConstraint(['hall_id'], ['hall.id'], ),
    sa.ForeignKeyConstraint(['service_id'], ['service.id'], ),
    sa.ForeignKeyConstraint(['ticket_id'], ['ticket.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('hall_id', 'local_date', 'code', name='uq_appointment_code')
    )
    op.create_index('ix_appointment_day', 'appointment', ['hall_id', 'local_date'], unique=False)
    op.create_index('ix_appointment_slot', 'appointment', ['service_id', 'slot_start'], unique=False)
    op.create_table('rating',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('hall_id', sa.Integer(), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('local_date', sa.Date(), nullable=False),
    sa.Column('service_id', sa.Integer(), nullable=False),
    sa.Column('window_id', sa.Integer(), nullable=True),
    sa.Column('staff_id', sa.Integer(), nullable=True),
    sa.Column('score', sa.Integer(), nullable=False),
    sa.Column('reason', sa.String(length=32), nullable=True),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('rated_at', _MOMENT, nullable=False),
    sa.Column('rated_by_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['hall_id'], ['hall.id'], ),
    sa.ForeignKeyConstraint(['rated_by_id'], ['staff.id'], ),
    sa.ForeignKeyConstraint(['service_id'], ['service.id'], ),
    sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], ),
    sa.ForeignKeyConstraint(['ticket_id'], ['ticket.id'], ),
    sa.ForeignKeyConstraint(['window_id'], ['window.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('ticket_id', name='uq_rating_ticket')
    )
    op.create_index('ix_rating_day', 'rating', ['hall_id', 'local_date'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_rating_day', table_name='rating')
    op.drop_table('rating')
    op.drop_index('ix_appointment_slot', table_name='appointment')
    op.drop_index('ix_appointment_day', table_name='appointment')
    op.drop_table('appointment')
    op.drop_table('appointment_rule')
    op.drop_table('appointment_policy')
