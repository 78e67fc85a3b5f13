"""conditions on campaign text (issue 24): the opening and closing as alternatives, each
talking point's condition, and the campaign's own place facts

Existing rows keep their nation variants and point nations, read as conditions on load and
moved into the new columns by their next save.

Revision ID: 5d3a9c1e7f20
Revises: 4c2e8f1a7b53
Create Date: 2026-12-04 21:50:00.000000
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5d3a9c1e7f20'
down_revision = '4c2e8f1a7b53'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('campaign', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('chosen_texts', sa.JSON(), nullable=False, server_default='{}')
        )
        batch_op.add_column(
            sa.Column('place_facts', sa.JSON(), nullable=False, server_default='{}')
        )
    with op.batch_alter_table('talking_point', schema=None) as batch_op:
        batch_op.add_column(sa.Column('condition', sa.JSON(), nullable=False, server_default='{}'))


def downgrade():
    with op.batch_alter_table('talking_point', schema=None) as batch_op:
        batch_op.drop_column('condition')
    with op.batch_alter_table('campaign', schema=None) as batch_op:
        batch_op.drop_column('place_facts')
        batch_op.drop_column('chosen_texts')
