"""a ticket parked at the back of a window's queue takes the last place there; the hall's policy
for no-shows (least recalls and seconds) and for reinstating them (minutes)

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-11 09:00:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0005'
down_revision: Union[str, Sequence[str], None] = '0004'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('ticket', schema=None) as batch_op:
        batch_op.add_column(sa.Column('back_window_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('back_rank', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('back_position', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            'fk_ticket_back_window_id_window', 'window', ['back_window_id'], ['id']
        )
    with op.batch_alter_table('hall_policy', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('no_show_min_recalls', sa.Integer(), nullable=False, server_default='1')
        )
        batch_op.add_column(
            sa.Column('no_show_min_seconds', sa.Integer(), nullable=False, server_default='60')
        )
        batch_op.add_column(
            sa.Column('reinstate_minutes', sa.Integer(), nullable=False, server_default='30')
        )


def downgrade() -> None:
    with op.batch_alter_table('hall_policy', schema=None) as batch_op:
        batch_op.drop_column('reinstate_minutes')
        batch_op.drop_column('no_show_min_seconds')
        batch_op.drop_column('no_show_min_recalls')
    with op.batch_alter_table('ticket', schema=None) as batch_op:
        batch_op.drop_constraint('fk_ticket_back_window_id_window', type_='foreignkey')
        batch_op.drop_column('back_position')
        batch_op.drop_column('back_rank')
        batch_op.drop_column('back_window_id')
