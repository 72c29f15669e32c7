"""Who may see and do what in the console (docs/console.md §Security rules): pure rules over the signed-in
account and the case."""

from __future__ import annotations

from dataclasses import dataclass

from services.intake.console.accounts import Account
from services.intake.domain.case import CaseState
from services.intake.domain.commands import Responder


@dataclass(frozen=True, slots=True)
class NavItem:
    key: str  # the catalogue key of its label
    path: str


# The pages each role has, the first being where signing in lands.
_NAV: dict[str, tuple[NavItem, ...]] = {
    "unit": (NavItem("nav.inbox", "/console/inbox"),),
    "working_group": (
        NavItem("nav.queue", "/console/queue"),
        NavItem("nav.inbox", "/console/inbox"),
        NavItem("nav.stats", "/console/stats"),
    ),
    "ops": (NavItem("nav.stats", "/console/stats"),),
}


def nav_for(account: Account) -> tuple[NavItem, ...]:
    return _NAV[account.role]


def home_of(account: Account) -> str:
    items = nav_for(account)
    return items[0].path if items else "/console/home"


def responder_of(account: Account) -> Responder:
    """The account as the lifecycle sees it; the events it causes carry its id as the actor."""
    if account.role == "working_group":
        return Responder(unit_id=None, working_group=True, account_id=account.account_id)
    unit_id = account.unit_id if account.role == "unit" else None
    return Responder(unit_id=unit_id, account_id=account.account_id)


def inbox_unit(account: Account) -> str | None:
    """Whose inbox the account reads: its unit's, or the working group's own cases; ops has none."""
    return responder_of(account).acts_as


def may_view(account: Account, case: CaseState) -> bool:
    """The working group sees every case; a unit the cases it holds now; ops none."""
    if account.role == "working_group":
        return True
    return account.role == "unit" and case.unit is not None and case.unit.id == account.unit_id
