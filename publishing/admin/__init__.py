"""The admin for what conditions and procedures share, one concern a module:

- revisions.py: every save a revision, history, compare, revert and recover (RecordedAdmin);
- conflicts.py: two people editing one object (EditConflictForm);
- pages.py: the page form's rules, workflow state and pending changes (PublishableAdmin);
- review.py: the review screen, approving and sending back;
- leaflets.py: every approved version with its stored leaflet.
"""

from . import leaflets  # noqa: F401 (registers the approved versions' admin)
from .conflicts import EditConflictForm
from .pages import (
    PUBLISHING_FIELDSET,
    URGENT_HELP_FIELDSET,
    PublishableAdmin,
    PublishableForm,
    ReviewDueFilter,
    StateFilter,
    rendered,
)
from .revisions import RecordedAdmin

__all__ = [
    "PUBLISHING_FIELDSET",
    "URGENT_HELP_FIELDSET",
    "EditConflictForm",
    "PublishableAdmin",
    "PublishableForm",
    "RecordedAdmin",
    "ReviewDueFilter",
    "StateFilter",
    "rendered",
]
