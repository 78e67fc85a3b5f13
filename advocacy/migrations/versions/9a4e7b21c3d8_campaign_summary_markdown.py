"""campaign summary in Markdown (summary_html is made from it when saved)

Existing campaigns have no Markdown (an empty summary) and keep their summary_html as it is;
the editor shows it as Markdown, and the next save stores that.

Revision ID: 9a4e7b21c3d8
Revises: 6f1d2c8e5a47
Create Date: 2026-11-29 07:50:00.000000
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '9a4e7b21c3d8'
down_revision = '6f1d2c8e5a47'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('campaign', schema=None) as batch_op:
        batch_op.add_column(sa.Column('summary', sa.Text(), nullable=False, server_default=''))


def downgrade():
    with op.batch_alter_table('campaign', schema=None) as batch_op:
        batch_op.drop_column('summary')
