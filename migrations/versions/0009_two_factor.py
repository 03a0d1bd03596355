"""a second factor for staff: the encrypted TOTP secret and hashed recovery codes

Revision ID: 0009_two_factor
Revises: 0008_checkin_reservation_unique
Create Date: 2026-12-01

TOTP with one-time recovery codes, required for admins by default (issue 14, finding 13;
webapp/staff/twofactor/). Both tables go with their account.
"""
from alembic import op
import sqlalchemy as sa


revision = '0009_two_factor'
down_revision = '0008_checkin_reservation_unique'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('staff_two_factor',
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('secret', sa.String(length=255), nullable=False),
        sa.Column('enabled_at', sa.DateTime(), nullable=False),
        sa.Column('last_step', sa.Integer(), nullable=False),
        sa.Column('wrong_codes', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_staff_two_factor_user_id_users'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('user_id', name=op.f('pk_staff_two_factor')),
    )
    op.create_table('staff_recovery_codes',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('code_hash', sa.String(length=64), nullable=False),
        sa.Column('used_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_staff_recovery_codes_user_id_users'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_staff_recovery_codes')),
        sa.UniqueConstraint('code_hash', name=op.f('uq_staff_recovery_codes_code_hash')),
    )
    op.create_index(op.f('ix_staff_recovery_codes_user_id'), 'staff_recovery_codes', ['user_id'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_staff_recovery_codes_user_id'), table_name='staff_recovery_codes')
    op.drop_table('staff_recovery_codes')
    op.drop_table('staff_two_factor')
