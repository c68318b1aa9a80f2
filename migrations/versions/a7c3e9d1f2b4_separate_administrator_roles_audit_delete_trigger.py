"""separate administrator roles (security_admin, audit_admin); SQLite refuses DELETE of audit rows

The role CHECK constraint gains 'security_admin' and 'audit_admin' (等保 2.0 三员分立). SQLite
cannot alter a CHECK constraint, so batch mode recreates user_account with the new one.
SQLite also gets the DELETE trigger on audit_entry that PostgreSQL already had (the test suite
now lifts it around its own cleanup only, tests/conftest.py).

Revision ID: a7c3e9d1f2b4
Revises: f89fa7175c43
Create Date: 2026-11-27 08:20:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'a7c3e9d1f2b4'
down_revision = 'f89fa7175c43'
branch_labels = None
depends_on = None

OLD_ROLES = ("enterprise", "county", "city", "province", "admin")
NEW_ROLES = OLD_ROLES + ("security_admin", "audit_admin")
MESSAGE = "audit_entry is append-only"


def _roles_sql(roles) -> str:
    return "role IN (" + ", ".join(f"'{r}'" for r in roles) + ")"


def _set_role_check(roles) -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE user_account DROP CONSTRAINT IF EXISTS ck_user_account_role")
        op.execute(f"ALTER TABLE user_account ADD CONSTRAINT ck_user_account_role CHECK ({_roles_sql(roles)})")
        return
    with op.batch_alter_table('user_account', schema=None, recreate="always") as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_user_account_role"), type_="check")
        batch_op.create_check_constraint(batch_op.f("ck_user_account_role"), _roles_sql(roles))


def upgrade():
    _set_role_check(NEW_ROLES)
    if op.get_bind().dialect.name != "postgresql":
        op.execute(f"""CREATE TRIGGER audit_entry_no_delete BEFORE DELETE ON audit_entry
            BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""")


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_entry_no_delete")
    op.execute("UPDATE user_account SET active = false, role = 'enterprise' WHERE role IN ('security_admin', 'audit_admin')")
    _set_role_check(OLD_ROLES)
