"""initial schema

Revision ID: 0001
Revises: 
Create Date: 2026-11-26

Every table of the service, and the default outcome vocabulary (topics, results, agencies)
that admins may later edit or retire.
"""
from alembic import op
import sqlalchemy as sa


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


#: The vocabulary as it stood when the service started; later edits live in the data, not here.
DEFAULT_TERMS = [
    ("topic", "elderly", "高齢", "Older people"),
    ("topic", "disability", "障がい", "Disability"),
    ("topic", "children", "こども・子育て", "Children and parenting"),
    ("topic", "money", "生活困窮・お金", "Money and hardship"),
    ("topic", "hikikomori", "ひきこもり", "Social withdrawal (hikikomori)"),
    ("topic", "family", "家族", "Family"),
    ("topic", "health", "健康・こころ", "Health and mind"),
    ("topic", "work", "仕事", "Work"),
    ("topic", "housing", "住まい", "Housing"),
    ("topic", "other", "その他", "Other"),
    ("result", "listened", "傾聴", "Listened"),
    ("result", "information", "情報提供", "Gave information"),
    ("result", "referred", "関係機関につないだ", "Referred to an agency"),
    ("result", "continuing", "継続支援", "Continuing support"),
    ("result", "other", "その他", "Other"),
    ("agency", "chiiki_houkatsu", "地域包括支援センター", "Community general support centre (older people)"),
    ("agency", "seikatsu_shien_center", "生活支援センター", "Life support centre (disability)"),
    ("agency", "kodomo_katei", "こども家庭センター", "Children and family centre"),
    ("agency", "kurashi_shigoto", "くらしとしごと支援センター", "Living and work support centre"),
    ("agency", "shakyo", "社会福祉協議会", "Council of social welfare"),
    ("agency", "kyosei_suishin", "地域共生社会推進課", "Inclusive community promotion division"),
    ("agency", "shogai_fukushi", "障がい福祉課", "Disability welfare division"),
    ("agency", "seikatsu_shien_ka", "生活支援課", "Livelihood support division"),
    ("agency", "houkatsu_care", "地域包括ケア推進課", "Community care promotion division"),
    ("agency", "kenko", "健康課", "Health division"),
    ("agency", "youho_kodomoen", "幼保こども園課", "Early childhood division"),
    ("agency", "shogai_gakushu", "生涯学習課", "Lifelong learning division"),
    ("agency", "ibasho_gift", "いばしょ支援ステーションGIFT", "Ibasho support station GIFT"),
    ("agency", "anata_no_ibasho", "あなたのいばしょ（チャット相談）", "Anata no Ibasho (chat)"),
    ("agency", "other", "その他の機関", "Another agency"),
]


def upgrade():
    op.create_table('sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('date', sa.Date(), nullable=False),
    sa.Column('starts_at', sa.DateTime(), nullable=False),
    sa.Column('ends_at', sa.DateTime(), nullable=False),
    sa.Column('format', sa.String(length=16), nullable=False),
    sa.Column('location', sa.String(length=200), nullable=False),
    sa.Column('join_url', sa.String(length=500), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('holiday', sa.Boolean(), nullable=False),
    sa.Column('holiday_name', sa.String(length=50), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('cancelled_at', sa.DateTime(), nullable=True),
    sa.CheckConstraint("format IN ('in_person','online','metaverse')", name=op.f('ck_sessions_format')),
    sa.CheckConstraint("status IN ('scheduled','cancelled')", name=op.f('ck_sessions_status')),
    sa.CheckConstraint('ends_at > starts_at', name=op.f('ck_sessions_ends_after_start')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sessions'))
    )
    with op.batch_alter_table('sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sessions_date'), ['date'], unique=False)
        batch_op.create_index(batch_op.f('ix_sessions_starts_at'), ['starts_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_sessions_updated_at'), ['updated_at'], unique=False)

    op.create_table('terms',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('label_ja', sa.String(length=100), nullable=False),
    sa.Column('label_en', sa.String(length=100), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('retired', sa.Boolean(), nullable=False),
    sa.CheckConstraint("kind IN ('topic','result','agency')", name=op.f('ck_terms_kind')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_terms')),
    sa.UniqueConstraint('kind', 'key', name='uq_terms_kind_key')
    )
    terms = sa.table("terms", sa.column("kind", sa.String), sa.column("key", sa.String),
                     sa.column("label_ja", sa.String), sa.column("label_en", sa.String),
                     sa.column("position", sa.Integer), sa.column("retired", sa.Boolean))
    op.bulk_insert(terms, [
        {"kind": k, "key": key, "label_ja": ja, "label_en": en, "position": i, "retired": False}
        for i, (k, key, ja, en) in enumerate(DEFAULT_TERMS)
    ])
    op.create_table('users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('login', sa.String(length=64), nullable=False),
    sa.Column('display_name', sa.String(length=100), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('feed_token_hash', sa.String(length=64), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
    sa.UniqueConstraint('feed_token_hash', name=op.f('uq_users_feed_token_hash')),
    sa.UniqueConstraint('login', name=op.f('uq_users_login'))
    )
    op.create_table('announcements',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('text', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['session_id'], ['sessions.id'], name=op.f('fk_announcements_session_id_sessions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_announcements_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_announcements'))
    )
    with op.batch_alter_table('announcements', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_announcements_session_id'), ['session_id'], unique=False)

    op.create_table('api_tokens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('revoked_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_api_tokens_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_tokens')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_api_tokens_token_hash'))
    )
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_api_tokens_user_id'), ['user_id'], unique=False)

    op.create_table('session_promoters',
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['session_id'], ['sessions.id'], name=op.f('fk_session_promoters_session_id_sessions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_session_promoters_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('session_id', 'user_id', name=op.f('pk_session_promoters'))
    )
    op.create_table('slots',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('starts_at', sa.DateTime(), nullable=False),
    sa.Column('ends_at', sa.DateTime(), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=False),
    sa.Column('reserved', sa.Integer(), nullable=False),
    sa.CheckConstraint('reserved >= 0 AND reserved <= capacity', name=op.f('ck_slots_within_capacity')),
    sa.ForeignKeyConstraint(['session_id'], ['sessions.id'], name=op.f('fk_slots_session_id_sessions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_slots'))
    )
    with op.batch_alter_table('slots', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_slots_session_id'), ['session_id'], unique=False)

    op.create_table('reservations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=20), nullable=False),
    sa.Column('slot_id', sa.Integer(), nullable=False),
    sa.Column('nickname', sa.String(length=30), nullable=False),
    sa.Column('topic', sa.String(length=200), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('cancelled_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['slot_id'], ['slots.id'], name=op.f('fk_reservations_slot_id_slots'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reservations')),
    sa.UniqueConstraint('code', name=op.f('uq_reservations_code'))
    )
    with op.batch_alter_table('reservations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reservations_slot_id'), ['slot_id'], unique=False)

    op.create_table('checkins',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('avatar', sa.String(length=32), nullable=False),
    sa.Column('nickname', sa.String(length=30), nullable=False),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('reservation_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('urgent', sa.Boolean(), nullable=False),
    sa.Column('token_version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('taken_at', sa.DateTime(), nullable=True),
    sa.Column('taken_by_id', sa.Integer(), nullable=True),
    sa.Column('handoff_mode', sa.String(length=16), nullable=True),
    sa.Column('ended_at', sa.DateTime(), nullable=True),
    sa.CheckConstraint("source IN ('resident','staff')", name=op.f('ck_checkins_source')),
    sa.CheckConstraint("status IN ('waiting','in_consultation','closed','left','removed')", name=op.f('ck_checkins_status')),
    sa.ForeignKeyConstraint(['reservation_id'], ['reservations.id'], name=op.f('fk_checkins_reservation_id_reservations')),
    sa.ForeignKeyConstraint(['session_id'], ['sessions.id'], name=op.f('fk_checkins_session_id_sessions')),
    sa.ForeignKeyConstraint(['taken_by_id'], ['users.id'], name=op.f('fk_checkins_taken_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_checkins'))
    )
    with op.batch_alter_table('checkins', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_checkins_session_id'), ['session_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_checkins_status'), ['status'], unique=False)

    op.create_table('messages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('checkin_id', sa.Integer(), nullable=False),
    sa.Column('sender', sa.String(length=16), nullable=False),
    sa.Column('staff_user_id', sa.Integer(), nullable=True),
    sa.Column('text', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("sender IN ('resident','staff')", name=op.f('ck_messages_sender')),
    sa.ForeignKeyConstraint(['checkin_id'], ['checkins.id'], name=op.f('fk_messages_checkin_id_checkins'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['staff_user_id'], ['users.id'], name=op.f('fk_messages_staff_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_messages'))
    )
    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_messages_checkin_id'), ['checkin_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_messages_created_at'), ['created_at'], unique=False)

    op.create_table('outcomes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('checkin_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('result_id', sa.Integer(), nullable=True),
    sa.Column('referred_to_id', sa.Integer(), nullable=True),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('recorded_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("kind IN ('consultation','visit_only')", name=op.f('ck_outcomes_kind')),
    sa.ForeignKeyConstraint(['checkin_id'], ['checkins.id'], name=op.f('fk_outcomes_checkin_id_checkins'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_outcomes_recorded_by_id_users')),
    sa.ForeignKeyConstraint(['referred_to_id'], ['terms.id'], name=op.f('fk_outcomes_referred_to_id_terms')),
    sa.ForeignKeyConstraint(['result_id'], ['terms.id'], name=op.f('fk_outcomes_result_id_terms')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outcomes')),
    sa.UniqueConstraint('checkin_id', name=op.f('uq_outcomes_checkin_id'))
    )
    op.create_table('outcome_topics',
    sa.Column('outcome_id', sa.Integer(), nullable=False),
    sa.Column('term_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['outcome_id'], ['outcomes.id'], name=op.f('fk_outcome_topics_outcome_id_outcomes'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['term_id'], ['terms.id'], name=op.f('fk_outcome_topics_term_id_terms')),
    sa.PrimaryKeyConstraint('outcome_id', 'term_id', name=op.f('pk_outcome_topics'))
    )


def downgrade():
    op.drop_table('outcome_topics')
    op.drop_table('outcomes')
    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_messages_created_at'))
        batch_op.drop_index(batch_op.f('ix_messages_checkin_id'))

    op.drop_table('messages')
    with op.batch_alter_table('checkins', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_checkins_status'))
        batch_op.drop_index(batch_op.f('ix_checkins_session_id'))

    op.drop_table('checkins')
    with op.batch_alter_table('reservations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reservations_slot_id'))

    op.drop_table('reservations')
    with op.batch_alter_table('slots', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_slots_session_id'))

    op.drop_table('slots')
    op.drop_table('session_promoters')
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_api_tokens_user_id'))

    op.drop_table('api_tokens')
    with op.batch_alter_table('announcements', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_announcements_session_id'))

    op.drop_table('announcements')
    op.drop_table('users')
    op.drop_table('terms')
    with op.batch_alter_table('sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sessions_updated_at'))
        batch_op.drop_index(batch_op.f('ix_sessions_starts_at'))
        batch_op.drop_index(batch_op.f('ix_sessions_date'))

    op.drop_table('sessions')
