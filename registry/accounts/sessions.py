"""Server-side session invalidation (ASVS V3.3.1, V3.3.3, V3.7; 等保 2.0 身份鉴别 结束会话).

The session cookie is signed but lives in the browser, so deleting it on logout cannot stop a
copy from being replayed. Each account therefore carries a *session generation*
(`User.session_epoch`): `start` stamps the current generation into the session at sign-in, and
`auth_loader.load_user` accepts a session only while the stamp equals the account's generation.
`end_all` adds one to it, which ends every session of the account at once, on every device:

- logout (all of the user's sessions: a per-account generation cannot single one out, and
  "log out" on a shared office PC should also end the session left open at home or on a
  colleague's PC; signing in again is cheap);
- a password change (the user's own session is re-stamped and continues; every other ends);
- a password reset by the security administrator or on the server's shell;
- a lockout (等保 登录失败处理: 结束会话) and a change of role, region scope or active flag.

A session made before this mechanism (no stamp) counts as generation 0, so it is valid until the
account's first logout, password change, reset, lock or role change.
"""
from __future__ import annotations

from flask import session
from flask_login import login_user
from sqlalchemy import update

from registry.accounts.models import User
from registry.accounts.reauth import mark_authenticated
from registry.extensions import db

EPOCH_KEY = "_auth_epoch"


def start(user: User) -> None:
    """Sign `user` in on this browser, stamped with the account's current session generation."""
    login_user(user)
    restamp(user)
    mark_authenticated()


def restamp(user: User) -> None:
    """Keep this browser's session after the account's generation moved on (its own password change)."""
    session[EPOCH_KEY] = int(user.session_epoch or 0)


def is_current(user: User) -> bool:
    stamp = session.get(EPOCH_KEY, 0)
    return isinstance(stamp, int) and stamp == int(user.session_epoch or 0)


def end_all(user: User) -> None:
    """Every session of `user` ends at the next request (one atomic increment in the database)."""
    new = db.session.execute(
        update(User).where(User.id == user.id).values(session_epoch=User.session_epoch + 1)
        .returning(User.session_epoch)
        .execution_options(synchronize_session=False)
    ).scalar_one()
    # Tell the loaded object without a refresh (it may carry unflushed changes).
    from sqlalchemy.orm.attributes import set_committed_value

    set_committed_value(user, "session_epoch", new)
