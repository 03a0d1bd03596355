"""a slot that holds reservations cannot be deleted (no cascade)

Revision ID: 0007_reservation_slot_restrict
Revises: 0006_reservation_staff_cancel
Create Date: 2026-12-01

`reservations.slot_id` cascaded on delete, so re-cutting a session's slots while a resident
reserved silently deleted acknowledged reservations (issue 14, finding 1). The database now
refuses to delete such a slot; the operations refuse the edit first with 409 `slot_reserved`.
"""
from alembic import op


revision = '0007_reservation_slot_restrict'
down_revision = '0006_reservation_staff_cancel'
branch_labels = None
depends_on = None

FK = 'fk_reservations_slot_id_slots'


def _replace_foreign_key(ondelete):
    if op.get_bind().dialect.name == 'sqlite':
        # The table is rebuilt; check-ins point at it, so foreign keys are checked at commit instead.
        op.execute('PRAGMA defer_foreign_keys = ON')
    with op.batch_alter_table('reservations', schema=None) as batch_op:
        batch_op.drop_constraint(FK, type_='foreignkey')
        batch_op.create_foreign_key(FK, 'slots', ['slot_id'], ['id'], ondelete=ondelete)


def upgrade():
    _replace_foreign_key('RESTRICT')


def downgrade():
    _replace_foreign_key('CASCADE')
