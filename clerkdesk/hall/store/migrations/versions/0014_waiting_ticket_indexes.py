"""partial indexes of the waiting tickets for the bounded claim: each class of the fair order
(service and priority; parked at the back of a window) read from its head (issue 14, item 4)

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-04 10:00:00
"""
from typing import Sequence, Union

from alembic import op


# revision identifiers, used by Alembic.
revision: str = '0014'
down_revision: Union[str, Sequence[str], None] = '0013'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

# As in clerkdesk.hall.store.models.tickets.WAITING_INDEXES (the same DDL on both databases).
_INDEXES = {
    'ix_ticket_waiting': (
        'hall_id, service_id, priority, queue_at, id',
        "status = 'waiting'",
    ),
    'ix_ticket_parked_back': (
        'back_window_id, back_rank, back_position, queue_at, id',
        "status = 'waiting' AND back_window_id IS NOT NULL",
    ),
}


def upgrade() -> None:
    for name, (columns, where) in _INDEXES.items():
        op.execute(f'CREATE INDEX {name} ON ticket ({columns}) WHERE {where}')
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('ANALYZE ticket')


def downgrade() -> None:
    for name in _INDEXES:
        op.drop_index(name, table_name='ticket')
