"""staff password_set_at, so one-time passwords can expire

Revision ID: fee18905c7bf
Revises: 85787cb3ba78
Create Date: 2026-11-29 06:32:59.000000

Existing rows are left NULL: a one-time password of unknown age counts as expired, and an admin
issues a new one.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'fee18905c7bf'
down_revision = '85787cb3ba78'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('staff', schema=None) as batch_op:
        batch_op.add_column(sa.Column('password_set_at', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('staff', schema=None) as batch_op:
        batch_op.drop_column('password_set_at')
