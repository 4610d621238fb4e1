"""hand-offs between departments: the hand_off table; a ticket's numbering service apart from
the service it waits for now, its target window or clerk, its hand-off count, the departments
of its chain and the hand-off to return to; the hall's hand-off policy

Revision ID: 0007
Revises: 0005
Create Date: 2026-12-12 09:00:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0007'
down_revision: Union[str, Sequence[str], None] = '0006'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

# The unnamed unique constraint of 0001 on (service_id, local_date, number), as SQLite's batch
# mode names it through this convention, and as PostgreSQL named it.
_SQLITE_NAMES = {"uq": "uq_%(table_name)s_%(column_0_name)s"}
_OLD_UNIQUE_SQLITE = 'uq_ticket_service_id'
_OLD_UNIQUE_POSTGRES = 'ticket_service_id_local_date_number_key'


def _old_unique_sqlite() -> str:
    """The old unique constraint's name on SQLite: unnamed as 0001 made it (batch mode names it
    through `_SQLITE_NAMES`), or named as this migration's downgrade puts it back."""
    for found in sa.inspect(op.get_bind()).get_unique_constraints('ticket'):
        if found['column_names'] == ['service_id', 'local_date', 'number'] and found['name']:
            return str(found['name'])
    return _OLD_UNIQUE_SQLITE


def upgrade() -> None:
    op.create_table('hand_off',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('hall_id', sa.Integer(), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('local_date', sa.Date(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('from_staff_id', sa.Integer(), nullable=False),
    sa.Column('from_window_id', sa.Integer(), nullable=True),
    sa.Column('from_service_id', sa.Integer(), nullable=False),
    sa.Column('from_department_id', sa.Integer(), nullable=False),
    sa.Column('to_service_id', sa.Integer(), nullable=False),
    sa.Column('to_department_id', sa.Integer(), nullable=False),
    sa.Column('to_window_id', sa.Integer(), nullable=True),
    sa.Column('to_staff_id', sa.Integer(), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('called_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('ended_by_id', sa.Integer(), nullable=True),
    sa.Column('end_reason', sa.Text(), nullable=True),
    sa.Column('back_asked_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['ended_by_id'], ['staff.id'], ),
    sa.ForeignKeyConstraint(['from_department_id'], ['department.id'], ),
    sa.ForeignKeyConstraint(['from_service_id'], ['service.id'], ),
    sa.ForeignKeyConstraint(['from_staff_id'], ['staff.id'], ),
    sa.ForeignKeyConstraint(['from_window_id'], ['window.id'], ),
    sa.ForeignKeyConstraint(['hall_id'], ['hall.id'], ),
    sa.ForeignKeyConstraint(['ticket_id'], ['ticket.id'], ),
    sa.ForeignKeyConstraint(['to_department_id'], ['department.id'], ),
    sa.ForeignKeyConstraint(['to_service_id'], ['service.id'], ),
    sa.ForeignKeyConstraint(['to_staff_id'], ['staff.id'], ),
    sa.ForeignKeyConstraint(['to_window_id'], ['window.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('hand_off', schema=None) as batch_op:
        batch_op.create_index('ix_hand_off_hall_day', ['hall_id', 'local_date'], unique=False)
        batch_op.create_index('ix_hand_off_hall_state', ['hall_id', 'state'], unique=False)
        batch_op.create_index('ix_hand_off_ticket', ['ticket_id'], unique=False)

    with op.batch_alter_table('ticket', schema=None) as batch_op:
        batch_op.add_column(sa.Column('issued_service_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('target_window_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('target_staff_id', sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column('handoff_count', sa.Integer(), nullable=False, server_default='0')
        )
        batch_op.add_column(
            sa.Column('chain_departments', sa.Text(), nullable=False, server_default='')
        )
        batch_op.add_column(sa.Column('return_handoff_id', sa.Integer(), nullable=True))
    op.execute('UPDATE ticket SET issued_service_id = service_id')

    sqlite = op.get_bind().dialect.name == 'sqlite'
    if not sqlite:
        op.drop_constraint(_OLD_UNIQUE_POSTGRES, 'ticket', type_='unique')
    with op.batch_alter_table(
        'ticket', schema=None, naming_convention=_SQLITE_NAMES if sqlite else None
    ) as batch_op:
        if sqlite:
            batch_op.drop_constraint(_old_unique_sqlite(), type_='unique')
        batch_op.alter_column('issued_service_id', existing_type=sa.Integer(), nullable=False)
        batch_op.create_unique_constraint(
            'uq_ticket_issued_number', ['issued_service_id', 'local_date', 'number']
        )
        batch_op.create_foreign_key(
            'fk_ticket_issued_service_id_service', 'service', ['issued_service_id'], ['id']
        )
        batch_op.create_foreign_key(
            'fk_ticket_target_window_id_window', 'window', ['target_window_id'], ['id']
        )
        batch_op.create_foreign_key(
            'fk_ticket_target_staff_id_staff', 'staff', ['target_staff_id'], ['id']
        )

    with op.batch_alter_table('hall_policy', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                'handoff_placement', sa.String(length=16), nullable=False, server_default='front'
            )
        )
        batch_op.add_column(
            sa.Column('handoff_flag_after', sa.Integer(), nullable=False, server_default='3')
        )
        batch_op.add_column(
            sa.Column(
                'handoff_arrival_minutes', sa.Integer(), nullable=False, server_default='10'
            )
        )


def downgrade() -> None:
    with op.batch_alter_table('hall_policy', schema=None) as batch_op:
        batch_op.drop_column('handoff_arrival_minutes')
        batch_op.drop_column('handoff_flag_after')
        batch_op.drop_column('handoff_placement')
    # A ticket handed to another service goes back under the service it was issued for.
    op.execute('UPDATE ticket SET service_id = issued_service_id')
    with op.batch_alter_table('ticket', schema=None) as batch_op:
        batch_op.drop_constraint('fk_ticket_target_staff_id_staff', type_='foreignkey')
        batch_op.drop_constraint('fk_ticket_target_window_id_window', type_='foreignkey')
        batch_op.drop_constraint('fk_ticket_issued_service_id_service', type_='foreignkey')
        batch_op.drop_constraint('uq_ticket_issued_number', type_='unique')
        batch_op.create_unique_constraint(
            _OLD_UNIQUE_POSTGRES, ['service_id', 'local_date', 'number']
        )
        batch_op.drop_column('return_handoff_id')
        batch_op.drop_column('chain_departments')
        batch_op.drop_column('handoff_count')
        batch_op.drop_column('target_staff_id')
        batch_op.drop_column('target_window_id')
        batch_op.drop_column('issued_service_id')
    with op.batch_alter_table('hand_off', schema=None) as batch_op:
        batch_op.drop_index('ix_hand_off_ticket')
        batch_op.drop_index('ix_hand_off_hall_state')
        batch_op.drop_index('ix_hand_off_hall_day')
    op.drop_table('hand_off')
