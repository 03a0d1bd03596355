"""session day: 受付番号, who handled a check-in, who is connected now

Revision ID: 0011_session_day
Revises: 0008_checkin_reservation_unique
Create Date: 2026-12-01

`checkins.number` is the 受付番号 (1, 2, 3... in order of arrival within a session; unique per
session, existing check-ins numbered by arrival). `checkin_promoters` credits every promoter who
had a resident (the one who took them and each one they were transferred to).
`checkin_presence` holds, per relay process, the residents with an open connection there;
`relay_heartbeats` when each relay last said it was alive: a relay that dies stops beating, so its
residents stop counting as connected.
"""
from alembic import op
import sqlalchemy as sa


revision = '0011_session_day'
down_revision = '0010_staff_sessions'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('checkins', schema=None) as batch_op:
        batch_op.add_column(sa.Column('number', sa.Integer(), nullable=True))
    op.execute(
        "UPDATE checkins SET number = (SELECT COUNT(*) FROM checkins AS earlier "
        "WHERE earlier.session_id = checkins.session_id AND (earlier.created_at < checkins.created_at "
        "OR (earlier.created_at = checkins.created_at AND earlier.id <= checkins.id)))"
    )
    op.create_index('ix_checkins_session_id_number', 'checkins', ['session_id', 'number'], unique=True)
    op.create_table(
        'checkin_promoters',
        sa.Column('checkin_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('since', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['checkin_id'], ['checkins.id'], name=op.f('fk_checkin_promoters_checkin_id_checkins'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_checkin_promoters_user_id_users')),
        sa.PrimaryKeyConstraint('checkin_id', 'user_id', name=op.f('pk_checkin_promoters')),
    )
    op.execute(
        "INSERT INTO checkin_promoters (checkin_id, user_id, since) "
        "SELECT id, taken_by_id, COALESCE(taken_at, created_at) FROM checkins WHERE taken_by_id IS NOT NULL"
    )
    op.create_table(
        'relay_heartbeats',
        sa.Column('relay_id', sa.String(length=32), nullable=False),
        sa.Column('seen_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('relay_id', name=op.f('pk_relay_heartbeats')),
    )
    op.create_table(
        'checkin_presence',
        sa.Column('checkin_id', sa.Integer(), nullable=False),
        sa.Column('relay_id', sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(['checkin_id'], ['checkins.id'], name=op.f('fk_checkin_presence_checkin_id_checkins'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('checkin_id', 'relay_id', name=op.f('pk_checkin_presence')),
    )
    op.create_index('ix_checkin_presence_relay_id', 'checkin_presence', ['relay_id'])


def downgrade():
    op.drop_index('ix_checkin_presence_relay_id', table_name='checkin_presence')
    op.drop_table('checkin_presence')
    op.drop_table('relay_heartbeats')
    op.drop_table('checkin_promoters')
    op.drop_index('ix_checkins_session_id_number', table_name='checkins')
    with op.batch_alter_table('checkins', schema=None) as batch_op:
        batch_op.drop_column('number')
