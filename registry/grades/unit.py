"""How a lost race on a grade decision is worded (the unit of work, core/unit_of_work.py, does the rest).

Two officials deciding the same application at once both pass the state check; the second UPDATE
finds the version already moved (StaleDataError) or the decision chain already extended
(IntegrityError on supersedes_id). Exactly one wins; the other is told what happened (409).
"""
from __future__ import annotations

from flask_babel import gettext as _

from registry.core import unit_of_work


def word_conflicts() -> None:
    """A before_request of the grades doors (and the grades CLI): the 409 says who won."""
    unit_of_work.conflict_message(_("Another official decided this at the same moment; your action was not saved. "
                                    "Reload the page to see the decision."))
