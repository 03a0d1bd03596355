"""crisis phrases and crisis contacts, edited by admins

Revision ID: 0004_crisis_settings
Revises: 0003_checkin_session_status
Create Date: 2026-12-01

Crisis phrases were a fixed list in config.py matched as exact strings; admins now edit the
phrases and the contacts in the app, and every relay picks a change up without a restart.
Seeded with config.py's defaults.
"""
import datetime as dt

from alembic import op
import sqlalchemy as sa

from webapp.clock import utcnow

from webapp.config import DEFAULT_CRISIS_CONTACTS, DEFAULT_CRISIS_PHRASES, DEFAULT_CRISIS_WORDS


revision = '0004_crisis_settings'
down_revision = '0003_checkin_session_status'
branch_labels = None
depends_on = None


def upgrade():
    phrases = op.create_table('crisis_phrases',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('text', sa.String(length=100), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('retired', sa.Boolean(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.CheckConstraint("kind IN ('phrase','word')", name=op.f('ck_crisis_phrases_kind')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_crisis_phrases')),
    )
    contacts = op.create_table('crisis_contacts',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name_ja', sa.String(length=100), nullable=False),
        sa.Column('name_en', sa.String(length=100), nullable=False),
        sa.Column('detail_ja', sa.String(length=200), nullable=False),
        sa.Column('detail_en', sa.String(length=200), nullable=False),
        sa.Column('url', sa.String(length=300), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('retired', sa.Boolean(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_crisis_contacts')),
    )
    # The service's clock (shifted in tests), so an admin's later edit always moves max(updated_at).
    now = utcnow().replace(tzinfo=None)
    op.bulk_insert(phrases, [{"text": text, "kind": "phrase", "retired": False, "updated_at": now}
                             for text in DEFAULT_CRISIS_PHRASES]
                   + [{"text": text, "kind": "word", "retired": False, "updated_at": now}
                      for text in DEFAULT_CRISIS_WORDS])
    op.bulk_insert(contacts, [{**{k: c.get(k, "") for k in ("name_ja", "name_en", "detail_ja", "detail_en", "url")},
                               "position": n, "retired": False, "updated_at": now}
                              for n, c in enumerate(DEFAULT_CRISIS_CONTACTS, start=1)])


def downgrade():
    op.drop_table('crisis_contacts')
    op.drop_table('crisis_phrases')
