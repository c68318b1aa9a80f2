"""The optimistic lock of page forms (issue 13 L11): a state-changing page form must send the version it showed.

`form_version` turns the hidden field into an int; a missing or garbled value becomes MISSING_VERSION, which
every operation's version check refuses (422, NO_VERSION) after its permission checks — so an actor out of
scope still gets 404 and one without permission 403, and nobody's change skips the lock by leaving the field out.
Operations called from the CLI, the demo or the import pass None ("no version known") as before.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

MISSING_VERSION = -1
NO_VERSION = _l("The form did not send the version of the record it was made from. Reload the page and try again.")


def form_version(value) -> int:
    """The hidden optimistic-lock version of a page form; MISSING_VERSION when absent or not a number."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return MISSING_VERSION
    return number if number >= 0 else MISSING_VERSION
