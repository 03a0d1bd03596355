"""an agency's field, phone, link and hours as admins set them over the profile: agency_details

Revision ID: 0016_agency_details
Revises: 0015_directory_edits
Create Date: 2026-12-01

Admins give an agency (an outcome `referred_to` term, one of the profile's or one added in the app)
the details residents read on the help page (issue 16). A NULL column follows the profile's value;
the row goes with its term. Each change is kept in directory_edits.
"""
from alembic import op
import sqlalchemy as sa


revision = '0016_agency_details'
down_revision = '0015_directory_edits'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('agency_details',
        sa.Column('term_id', sa.Integer(), nullable=False),
        sa.Column('field', sa.String(length=30), nullable=True),
        sa.Column('phone', sa.String(length=20), nullable=True),
        sa.Column('url', sa.String(length=300), nullable=True),
        sa.Column('hours', sa.String(length=100), nullable=True),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['term_id'], ['terms.id'], name=op.f('fk_agency_details_term_id_terms'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('term_id', name=op.f('pk_agency_details')),
    )


def downgrade():
    op.drop_table('agency_details')
