"""server-side staff sessions, and users.auth_version for revoking relay tokens

Revision ID: 0010_staff_sessions
Revises: 0008_checkin_reservation_unique
Create Date: 2026-12-01

Logging out did not end a staff session (the cookie held the account, signed, for as long as the
browser kept it), and a password change left relay tokens valid for 12 h (issue 14, findings 3-5;
CONTRACT §7). The login cookie now names a row of `staff_sessions` (its id kept only as SHA-256);
`auth_version` is carried in relay tokens and raised when an account's access ends. Cookies issued
before this revision name no row: everyone signs in once more.
"""
from alembic import op
import sqlalchemy as sa


revision = '0010_staff_sessions'
down_revision = '0009_two_factor'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('staff_sessions',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('last_seen_at', sa.DateTime(), nullable=False),
    sa.Column('ended_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_staff_sessions_user_id_users'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_staff_sessions'))
    )
    with op.batch_alter_table('staff_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_staff_sessions_user_id'), ['user_id'], unique=False)
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('auth_version', sa.Integer(), server_default='0', nullable=False))


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('auth_version')
    with op.batch_alter_table('staff_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_staff_sessions_user_id'))
    op.drop_table('staff_sessions')
