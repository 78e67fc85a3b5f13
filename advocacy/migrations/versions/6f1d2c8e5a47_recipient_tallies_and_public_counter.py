"""recipient tallies (letters and replies per recipient, per campaign and day) and the public
counter setting (whether a campaign's page shows how many letters were written)

Revision ID: 6f1d2c8e5a47
Revises: 3b7e2c9d4a10
Create Date: 2026-11-29 08:00:00.000000
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '6f1d2c8e5a47'
down_revision = '3b7e2c9d4a10'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('recipient_tally',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('event', sa.String(length=20), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('code', sa.String(length=60), nullable=False),
    sa.Column('total', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaign.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('campaign_id', 'day', 'event', 'role', 'code')
    )
    op.create_table('public_counter',
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('shown', sa.Boolean(), nullable=False),
    sa.Column('updated_by', sa.String(length=254), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaign.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('campaign_id')
    )


def downgrade():
    op.drop_table('public_counter')
    op.drop_table('recipient_tally')
