"""What the person using the app may change, for the window to hide or disable the rest and say why.

The office server enforces these rights itself (app.models.server_rights, rules R1–R8); this is the
same table seen from the window, so that a rep is not offered a button the server would refuse. On a
laptop's own SQLite file nothing is enforced: whoever can open the file can change everything, so
the window offers everything too (the "who is using the app" choice only names the author of changes);
on a laptop database of an office, the login's rights at the office (the office refuses the rest at
the sync, app.sync).
No Qt.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from app.i18n import _
from app.models import Rep, db
from app.models.dialect import is_server
from app.models.server_rights import MANAGER, REP, connected_user
from app.models.sync_schema import laptop_person


class Right(enum.Enum):
    """What only a manager may change (R5); everything else follows the record's rep (R4)."""

    COMPANY_SETTINGS = "company_settings"
    CHARTERS = "charters"
    PLANS = "plans"
    CHECK_TEMPLATES = "check_templates"
    CATALOG = "catalog"
    TEAM = "team"
    CUSTOMER_ASSIGNMENT = "customer_assignment"
    PERSONAL_DATA = "personal_data"  # exporting or erasing a customer's personal data (issue 18)


def _refusals() -> dict[Right, str]:
    return {
        Right.COMPANY_SETTINGS: _("Only a manager can change the company settings."),
        Right.CHARTERS: _("Only a manager can change the service charters."),
        Right.PLANS: _("Only a manager can change the follow-up plans."),
        Right.CHECK_TEMPLATES: _("Only a manager can change the correct-use checklists."),
        Right.CATALOG: _("Only a manager can change the products and categories."),
        Right.TEAM: _("Only a manager can change the team."),
        Right.CUSTOMER_ASSIGNMENT: _("Only a manager can assign customers to reps."),
        Right.PERSONAL_DATA: _("Only a manager can export or erase a customer's personal data."),
    }


@dataclass(frozen=True)
class Permissions:
    """The rights of the person connected. `role` None: nothing is enforced (a laptop's file, or a
    server database never set up with `server init`, or a login that is not one of its people)."""

    role: str | None = None
    login: str | None = None
    rep_id: int | None = None  # the rep record of a rep (R4's "theirs")

    @property
    def enforced(self) -> bool:
        return self.role is not None

    @property
    def is_manager(self) -> bool:
        return self.role != REP

    def may(self, right: Right) -> bool:
        return self.is_manager

    def refusal(self, right: Right) -> str | None:
        """Why not, for a disabled control's tooltip; None when allowed."""
        return None if self.may(right) else _refusals()[right]

    def may_change(self, record_rep_id: int | None, customer_rep_id: int | None = None) -> bool:
        """A record (case, return, follow-up, sale, check…) is a rep's to change when it or its
        customer is theirs (R4); a customer when it is theirs (pass its rep as record_rep_id)."""
        if self.is_manager:
            return True
        return self.rep_id is not None and self.rep_id in (record_rep_id, customer_rep_id)

    def change_refusal(self, record_rep_id: int | None, customer_rep_id: int | None = None) -> str | None:
        if self.may_change(record_rep_id, customer_rep_id):
            return None
        return _("Only its rep, its customer's rep or a manager can change this record.")


UNRESTRICTED = Permissions()


def current_permissions() -> Permissions:
    """The rights of whoever the open database's connection is (the server says who: current_user)."""
    database = db.obj
    if database is None:
        return UNRESTRICTED
    if not is_server(database):
        # A laptop of an office: its login's rights at the office, which refuses the rest at the sync.
        person = laptop_person(database)
        if person is None or person[1] not in (MANAGER, REP):
            return UNRESTRICTED
        login, role, rep_uid = person
        rep = Rep.get_or_none(Rep.uid == rep_uid) if rep_uid else None
        return Permissions(role=role, login=login, rep_id=rep.get_id() if rep is not None else None)
    user = connected_user(database)
    if user is None:
        return UNRESTRICTED
    return Permissions(
        role=user.role if user.role in (MANAGER, REP) else REP, login=user.login, rep_id=user.rep_id
    )
