"""campaign text in other languages (issue 27): each language's title, points, asks... as
staff wrote them, in one JSON column

Revision ID: 7e4b1d9c2f36
Revises: 5d3a9c1e7f20
Create Date: 2026-12-05 11:55:00.000000
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '7e4b1d9c2f36'
down_revision = '5d3a9c1e7f20'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('campaign', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('translations', sa.JSON(), nullable=False, server_default='{}')
        )


def downgrade():
    with op.batch_alter_table('campaign', schema=None) as batch_op:
        batch_op.drop_column('translations')
