"""campaign organiser and sharing image (both optional)

A campaign may name who runs it ("A campaign by …" on its page) and give a picture for link
previews (og:image). Existing campaigns have neither: empty, as documents without the fields
read.

Revision ID: 4c2e8f1a7b53
Revises: 9a4e7b21c3d8
Create Date: 2026-12-01 09:00:00.000000
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '4c2e8f1a7b53'
down_revision = '9a4e7b21c3d8'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('campaign', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('organiser', sa.String(length=120), nullable=False, server_default='')
        )
        batch_op.add_column(sa.Column('image_url', sa.Text(), nullable=False, server_default=''))


def downgrade():
    with op.batch_alter_table('campaign', schema=None) as batch_op:
        batch_op.drop_column('image_url')
        batch_op.drop_column('organiser')
