"""Run one grade operation and commit, turning a lost race into a clear conflict (optimistic locking).

Two officials deciding the same application at once both pass the state check; the second UPDATE
finds the version already moved (StaleDataError) or the decision chain already extended
(IntegrityError on supersedes_id). Exactly one wins; the other is told what happened.
"""
from __future__ import annotations

from typing import Any, Callable, TypeVar

from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from registry.core.errors import Conflict
from registry.extensions import db

R = TypeVar("R")


def commit(operation: Callable[..., R], *args: Any, **kwargs: Any) -> R:
    try:
        result = operation(*args, **kwargs)
        db.session.commit()
    except (StaleDataError, IntegrityError):
        db.session.rollback()
        raise Conflict(_("Another official decided this at the same moment; your action was not saved. "
                         "Reload the page to see the decision.")) from None
    return result
