"""Who may do what to which municipality's report, and who manages which account. The one
place that answers it.

Every web route and API endpoint calls ``require`` before it reads or changes a report, and
``require_account`` before it shows or changes an account, so the rules hold whatever URL or
form a user sends.
"""

import enum
from dataclasses import dataclass

from app.domain.errors import Forbidden, NotFound
from app.domain.vocabulary import Role


class Action(enum.StrEnum):
    VIEW_REPORT = "view_report"
    EDIT_REPORT = "edit_report"  # statuses, remarks, committee, submit
    REOPEN_REPORT = "reopen_report"
    REVIEW_REPORT = "review_report"  # approve, send back with a comment, remind
    MANAGE_ROUND = "manage_round"  # create, open, close, reopen a round; its reminder schedule
    FOLLOW_UP = "follow_up"  # the follow-up overview of a KKR's round
    # A round's consolidated report and the coordinator's texts (see ``is_allowed_for_round``).
    VIEW_ROUND_REPORT = "view_round_report"
    WRITE_ROUND_TEXTS = "write_round_texts"
    PUBLISH_ROUND = "publish_round"


@dataclass(frozen=True)
class Actor:
    """The acting user as the rules see them."""

    user_id: int
    role: Role
    kkr_id: int | None = None
    municipality_code: int | None = None


@dataclass(frozen=True)
class ReportScope:
    """Where a report belongs, and whether it has been submitted."""

    municipality_code: int
    kkr_id: int
    submitted: bool
    # A planned round is not yet open to municipalities: its reports are the coordinator's only.
    round_planned: bool = False


@dataclass(frozen=True)
class KkrScope:
    """A KKR's rounds, as a whole: what the coordinator's pages work on."""

    kkr_id: int


COORDINATOR_ACTIONS = (
    Action.VIEW_REPORT,
    Action.REOPEN_REPORT,
    Action.REVIEW_REPORT,
    Action.MANAGE_ROUND,
    Action.FOLLOW_UP,
)


def is_allowed(actor: Actor, action: Action, scope: ReportScope | KkrScope) -> bool:
    if isinstance(scope, KkrScope):
        # Only admins and the KKR's own coordinators work on a round as a whole.
        return actor.role is Role.ADMIN or (
            actor.role is Role.COORDINATOR and actor.kkr_id == scope.kkr_id and action in COORDINATOR_ACTIONS
        )
    if scope.round_planned and actor.role in (Role.EDITOR, Role.READER):
        return False
    own_municipality = actor.municipality_code == scope.municipality_code
    own_kkr = actor.kkr_id == scope.kkr_id
    match actor.role:
        case Role.ADMIN:
            return True
        case Role.COORDINATOR:
            return own_kkr and action in COORDINATOR_ACTIONS
        case Role.EDITOR:
            if own_municipality:
                return action in (Action.VIEW_REPORT, Action.EDIT_REPORT)
            # Submitted reports are shared so municipalities can learn from each other.
            return action is Action.VIEW_REPORT and scope.submitted
        case Role.READER:
            return action is Action.VIEW_REPORT and scope.submitted
    return False  # pragma: no cover - every role is matched above


def manages_rounds(actor: Actor) -> bool:
    """Whether the actor works on rounds at all (the rounds pages): admins and coordinators."""
    return actor.role in (Role.ADMIN, Role.COORDINATOR)


def require(actor: Actor, action: Action, scope: ReportScope | KkrScope) -> None:
    """Raise unless ``actor`` may do ``action`` to the report (or the KKR's rounds) in ``scope``.

    A report or round the actor may not even read answers "not found", so its existence is not
    given away.
    """
    if is_allowed(actor, action, scope):
        return
    if isinstance(scope, KkrScope):
        if not is_allowed(actor, Action.FOLLOW_UP, scope):
            raise NotFound("Opfølgningsrunden findes ikke, eller du har ikke adgang til den.")
        raise Forbidden("Du har ikke adgang til at gøre dette ved denne opfølgningsrunde.")
    if not is_allowed(actor, Action.VIEW_REPORT, scope):
        raise NotFound("Statusrapporten findes ikke, eller du har ikke adgang til den.")
    raise Forbidden("Du har ikke adgang til at gøre dette ved denne statusrapport.")


@dataclass(frozen=True)
class RoundScope:
    """Where a round belongs, and whether it has been published."""

    kkr_id: int
    published: bool


def is_allowed_for_round(actor: Actor, action: Action, scope: RoundScope) -> bool:
    """The consolidated report and its texts: the KKR's coordinator (and an admin) write and
    publish it; once published, every user may read it. A draft is the coordinator's."""
    if actor.role is Role.ADMIN:
        return action in (Action.VIEW_ROUND_REPORT, Action.WRITE_ROUND_TEXTS, Action.PUBLISH_ROUND)
    if actor.role is Role.COORDINATOR and actor.kkr_id == scope.kkr_id:
        return action in (Action.VIEW_ROUND_REPORT, Action.WRITE_ROUND_TEXTS, Action.PUBLISH_ROUND)
    return action is Action.VIEW_ROUND_REPORT and scope.published


def require_for_round(actor: Actor, action: Action, scope: RoundScope) -> None:
    """Raise unless ``actor`` may do ``action`` to the round in ``scope`` (not found if they may
    not even read its report)."""
    if is_allowed_for_round(actor, action, scope):
        return
    if not is_allowed_for_round(actor, Action.VIEW_ROUND_REPORT, scope):
        raise NotFound("Den samlede afrapportering findes ikke, eller du har ikke adgang til den.")
    raise Forbidden("Du har ikke adgang til at gøre dette ved denne opfølgningsrunde.")


# ---------------------------------------------------------------------------- a round's rollup


def may_read_rollup(actor: Actor, kkr_id: int) -> bool:
    """Who may read a round's figures, matrix and year over year: an admin every KKR, a
    coordinator their own KKR only; editors and readers every KKR, since the rollup counts
    submitted reports only, which they may read anyway (``is_allowed`` with ``submitted``)."""
    match actor.role:
        case Role.ADMIN | Role.EDITOR | Role.READER:
            return True
        case Role.COORDINATOR:
            return actor.kkr_id == kkr_id
    return False  # pragma: no cover - every role is matched above


def require_rollup(actor: Actor, kkr_id: int) -> None:
    """Raise unless ``actor`` may read the rollup of ``kkr_id``'s rounds ("not found", so another
    KKR's rounds are not given away)."""
    if not may_read_rollup(actor, kkr_id):
        raise NotFound("Opfølgningsrunden findes ikke, eller du har ikke adgang til den.")


# ---------------------------------------------------------------------------- accounts


@dataclass(frozen=True)
class AccountScope:
    """Whose an account is: its role, and the KKR it belongs to (a coordinator's or a reader's
    own KKR, an editor's municipality's KKR; None for an admin or a reader of no KKR)."""

    role: Role
    kkr_id: int | None


ROLES_A_COORDINATOR_MANAGES = (Role.EDITOR, Role.READER)


def may_manage_account(actor: Actor, account: AccountScope) -> bool:
    """An admin manages every account. A KKR coordinator manages the editors and readers of
    their own KKR, and nobody else: no admin, no coordinator, nobody of another KKR. Reading an
    account's audit log follows the same rule."""
    match actor.role:
        case Role.ADMIN:
            return True
        case Role.COORDINATOR:
            return (
                actor.kkr_id is not None
                and account.kkr_id == actor.kkr_id
                and account.role in ROLES_A_COORDINATOR_MANAGES
            )
    return False


def manages_accounts(actor: Actor) -> bool:
    """Whether the actor manages any accounts at all (the user administration is theirs)."""
    return actor.role in (Role.ADMIN, Role.COORDINATOR)


def require_account(actor: Actor, account: AccountScope) -> None:
    """Raise unless ``actor`` may manage the existing account in ``account``; an account out of
    reach answers "not found", so its existence is not given away."""
    if not may_manage_account(actor, account):
        raise NotFound("Brugeren findes ikke, eller du har ikke adgang til den.")


def require_account_target(actor: Actor, account: AccountScope, *, field: str) -> None:
    """Raise unless ``actor`` may give an account the role and scope in ``account`` (a new
    account, or a change of role or scope), with a message next to the field that is wrong."""
    if may_manage_account(actor, account):
        return
    if actor.role is Role.COORDINATOR:
        raise Forbidden(
            "Som KKR-koordinator kan du kun give redaktører og læsere adgang i din egen KKR's kommuner.",
            field=field,
        )
    raise Forbidden("Du har ikke adgang til at administrere brugere.", field=field)


def may_read_audit(actor: Actor, kkr_id: int | None) -> bool:
    """The audit log: an admin reads all of it, a KKR coordinator the events of their own KKR's
    accounts, nobody else any of it."""
    if actor.role is Role.ADMIN:
        return True
    return actor.role is Role.COORDINATOR and actor.kkr_id is not None and kkr_id == actor.kkr_id
