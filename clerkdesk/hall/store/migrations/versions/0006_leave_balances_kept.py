"""what the leave ledger adds up to, kept with every row written: each staff member's balance,
each credit's remainder (live credits indexed by expiry date for the expiry job), and which
credits each leave took from; filled from the ledger rows already there

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-14 09:00:00

"""
from typing import Any, Sequence, Union

from alembic import op
import sqlalchemy as sa

from clerkdesk.hall.rules.accrual import EntryKind, LedgerRow, replay


# revision identifiers, used by Alembic.
revision: str = '0006'
down_revision: Union[str, Sequence[str], None] = '0005'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('leave_account',
    sa.Column('staff_id', sa.Integer(), nullable=False),
    sa.Column('hall_id', sa.Integer(), nullable=False),
    sa.Column('balance', sa.Integer(), nullable=False),
    sa.Column('unallocated', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['hall_id'], ['hall.id'], ),
    sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], ),
    sa.PrimaryKeyConstraint('staff_id')
    )
    op.create_table('leave_credit',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('hall_id', sa.Integer(), nullable=False),
    sa.Column('staff_id', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=80), nullable=False),
    sa.Column('work_date', sa.Date(), nullable=False),
    sa.Column('expires_on', sa.Date(), nullable=True),
    sa.Column('credited', sa.Integer(), nullable=False),
    sa.Column('remaining', sa.Integer(), nullable=False),
    sa.Column('expired', sa.Boolean(), nullable=False),
    sa.Column('live', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['hall_id'], ['hall.id'], ),
    sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('staff_id', 'source')
    )
    with op.batch_alter_table('leave_credit', schema=None) as batch_op:
        batch_op.create_index('ix_leave_credit_due', ['hall_id', 'live', 'expires_on'], unique=False)
        batch_op.create_index('ix_leave_credit_staff_live', ['staff_id', 'live', 'expires_on'], unique=False)

    op.create_table('leave_allocation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('staff_id', sa.Integer(), nullable=False),
    sa.Column('leave_source', sa.String(length=80), nullable=False),
    sa.Column('credit_source', sa.String(length=80), nullable=False),
    sa.Column('minutes', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['staff_id', 'credit_source'], ['leave_credit.staff_id', 'leave_credit.source'], ),
    sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('leave_allocation', schema=None) as batch_op:
        batch_op.create_index('ix_leave_allocation_leave', ['staff_id', 'leave_source'], unique=False)

    fill(op.get_bind())


_ledger = sa.table(
    'leave_ledger',
    sa.column('id', sa.Integer()),
    sa.column('hall_id', sa.Integer()),
    sa.column('staff_id', sa.Integer()),
    sa.column('kind', sa.String()),
    sa.column('source', sa.String()),
    sa.column('minutes', sa.Integer()),
    sa.column('local_date', sa.Date()),
    sa.column('expires_on', sa.Date()),
    sa.column('reverses', sa.String()),
)
_account = sa.table(
    'leave_account',
    sa.column('staff_id', sa.Integer()),
    sa.column('hall_id', sa.Integer()),
    sa.column('balance', sa.Integer()),
    sa.column('unallocated', sa.Integer()),
)
_credit = sa.table(
    'leave_credit',
    sa.column('hall_id', sa.Integer()),
    sa.column('staff_id', sa.Integer()),
    sa.column('source', sa.String()),
    sa.column('work_date', sa.Date()),
    sa.column('expires_on', sa.Date()),
    sa.column('credited', sa.Integer()),
    sa.column('remaining', sa.Integer()),
    sa.column('expired', sa.Boolean()),
    sa.column('live', sa.Boolean()),
)
_allocation = sa.table(
    'leave_allocation',
    sa.column('staff_id', sa.Integer()),
    sa.column('leave_source', sa.String()),
    sa.column('credit_source', sa.String()),
    sa.column('minutes', sa.Integer()),
)


def fill(conn: sa.Connection) -> None:
    """Each staff member's ledger replayed, in the order written, into the three tables."""
    columns = [_ledger.c[name] for name in (
        'hall_id', 'staff_id', 'kind', 'source', 'minutes', 'local_date', 'expires_on', 'reverses'
    )]
    query = sa.select(*columns).order_by(_ledger.c.staff_id, _ledger.c.id)
    person: int | None = None
    hall = 0
    rows: list[LedgerRow] = []
    for row in conn.execute(query):
        if row.staff_id != person:
            if person is not None:
                _write(conn, hall, person, rows)
            person, hall, rows = row.staff_id, row.hall_id, []
        rows.append(LedgerRow(
            EntryKind(row.kind), row.minutes, row.local_date, row.source, row.expires_on,
            row.reverses,
        ))
    if person is not None:
        _write(conn, hall, person, rows)


def _write(conn: sa.Connection, hall_id: int, staff_id: int, rows: list[LedgerRow]) -> None:
    state = replay(rows)
    conn.execute(sa.insert(_account), [{
        'staff_id': staff_id, 'hall_id': hall_id, 'balance': state.balance,
        'unallocated': state.unallocated,
    }])
    credits: list[dict[str, Any]] = [
        {
            'hall_id': hall_id, 'staff_id': staff_id, 'source': c.source,
            'work_date': c.work_date, 'expires_on': c.expires_on, 'credited': c.credited,
            'remaining': c.remaining, 'expired': c.expired,
            'live': not c.expired and c.remaining > 0,
        }
        for c in state.credits
    ]
    if credits:
        conn.execute(sa.insert(_credit), credits)
    allocations = [
        {'staff_id': staff_id, 'leave_source': leave, 'credit_source': credit, 'minutes': part}
        for leave, parts in state.allocations.items()
        for credit, part in parts
    ]
    if allocations:
        conn.execute(sa.insert(_allocation), allocations)


def downgrade() -> None:
    with op.batch_alter_table('leave_allocation', schema=None) as batch_op:
        batch_op.drop_index('ix_leave_allocation_leave')

    op.drop_table('leave_allocation')
    with op.batch_alter_table('leave_credit', schema=None) as batch_op:
        batch_op.drop_index('ix_leave_credit_staff_live')
        batch_op.drop_index('ix_leave_credit_due')

    op.drop_table('leave_credit')
    op.drop_table('leave_account')
