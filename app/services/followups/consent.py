"""Contact consent (issue 18): which follow-ups are commercial contact, which needs the customer's
consent (Customer.contact_consent). No Qt.

Service follow-ups of a sale (delivery, correct use, warranty, training, satisfaction after a case
or a return, a complaint's follow-up) go ahead whatever the consent: they serve what was bought.
Commercial contact needs consent: offers and loyalty (purpose "commercial"), winning back a lost
customer ("recovery"), and telemarketing whatever its purpose. Plans leave such steps out for a
customer without consent; a person scheduling one by hand is warned.
"""

from __future__ import annotations

from app.i18n import _
from app.models.enums import FollowUpKind, FollowUpPurpose

COMMERCIAL_PURPOSES = frozenset({FollowUpPurpose.COMMERCIAL, FollowUpPurpose.RECOVERY})
COMMERCIAL_KINDS = frozenset({FollowUpKind.TELEMARKETING})


def is_commercial(kind: FollowUpKind | None, purpose: FollowUpPurpose | None) -> bool:
    """Whether a follow-up of this kind and purpose is commercial contact (needs consent)."""
    return purpose in COMMERCIAL_PURPOSES or kind in COMMERCIAL_KINDS


def may_contact(kind: FollowUpKind | None, purpose: FollowUpPurpose | None, consent: bool) -> bool:
    """Whether the follow-up may be made with a customer of this consent."""
    return consent or not is_commercial(kind, purpose)


def consent_warning() -> str:
    return _(
        "The customer has not consented to commercial contact: make it a service contact or record "
        "their consent first."
    )
