"""Run one real command and freeze at its commit, so that a test can SIGKILL the process right there.

    python -m tests.integration.reliability.crash_driver flask flask import FILE
    python -m tests.integration.reliability.crash_driver file-list LIST_ID USERNAME

Every row of the operation has been written inside the open transaction (and its audit entries
chained) when "READY-TO-COMMIT" is printed; the commit never starts. The database comes from
DATABASE_URL, as for `flask` itself.
"""
from __future__ import annotations

import sys
import time

from sqlalchemy import event
from sqlalchemy.orm import Session


def _freeze(session) -> None:
    session.flush()
    print("READY-TO-COMMIT", flush=True)
    time.sleep(600)


def main(argv: list[str]) -> None:
    event.listen(Session, "before_commit", _freeze)
    if argv[0] == "flask":
        from flask.cli import main as flask_main

        sys.argv = argv[1:]  # ["flask", COMMAND, ...]
        flask_main()
    elif argv[0] == "file-list":
        from sqlalchemy import select

        from registry.accounts.models import User
        from registry.emergency import operations as ops
        from registry.extensions import db
        from wsgi import app

        with app.app_context(), app.test_request_context():
            user = db.session.scalar(select(User).where(User.username == argv[2]))
            ops.file_list(user, int(argv[1]))
            db.session.commit()


if __name__ == "__main__":
    main(sys.argv[1:])
