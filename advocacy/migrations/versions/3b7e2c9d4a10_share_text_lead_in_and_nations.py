"""campaign share_text and prompt lead_in (letters and share links that read naturally); nation
scopes: the nations a campaign serves, per-nation variants, and each talking point's nations

Existing campaigns serve every nation (an empty list reads as all) and have no variants.

Revision ID: 3b7e2c9d4a10
Revises: fee18905c7bf
Create Date: 2026-11-29 07:50:00.000000
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '3b7e2c9d4a10'
down_revision = 'fee18905c7bf'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('campaign', schema=None) as batch_op:
        batch_op.add_column(sa.Column('share_text', sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('nations', sa.JSON(), nullable=False, server_default='[]'))
        batch_op.add_column(sa.Column('variants', sa.JSON(), nullable=False, server_default='{}'))
    with op.batch_alter_table('prompt', schema=None) as batch_op:
        batch_op.add_column(sa.Column('lead_in', sa.Text(), nullable=False, server_default=''))
    with op.batch_alter_table('talking_point', schema=None) as batch_op:
        batch_op.add_column(sa.Column('nations', sa.JSON(), nullable=False, server_default='[]'))


def downgrade():
    with op.batch_alter_table('talking_point', schema=None) as batch_op:
        batch_op.drop_column('nations')
    with op.batch_alter_table('prompt', schema=None) as batch_op:
        batch_op.drop_column('lead_in')
    with op.batch_alter_table('campaign', schema=None) as batch_op:
        batch_op.drop_column('variants')
        batch_op.drop_column('nations')
        batch_op.drop_column('share_text')
