"""What a status report requires and allows: the rules of submit, of editing and of reopening.

Pure functions of the rows and states, with no database, so the page's flags, the commands'
guards and the tests all read the same rule. A guard returns its refusal (a ``NotAllowedNow``)
or None: the command raises it, the page shows the action only when it is None.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from app.domain.access import ReportScope
from app.domain.errors import DomainError, NotAllowedNow
from app.domain.vocabulary import Colour, Kind, ReportState, RoundState
from app.models import Municipality, ReportingRound, StatusReport

MAX_COMMITTEE_LENGTH = 200
MAX_URL_LENGTH = 500
MAX_COMMENT_LENGTH = 2000  # the coordinator's comment when sending a report back


class RecommendationLike(Protocol):
    @property
    def key(self) -> str: ...
    @property
    def text(self) -> str: ...
    @property
    def kind(self) -> Kind: ...


class EntryLike(Protocol):
    @property
    def colour(self) -> Colour | None: ...
    @property
    def remark(self) -> str: ...
    @property
    def opted_out(self) -> bool: ...
    @property
    def confirmed(self) -> bool: ...
    @property
    def id(self) -> int | None: ...
    @property
    def version(self) -> int: ...


@dataclass(frozen=True)
class RuleRecommendation:
    """The columns of a recommendation that the rules read (when no ORM object is in hand)."""

    key: str
    text: str
    kind: Kind


@dataclass(frozen=True)
class RuleEntry:
    """The columns of an entry that the rules read."""

    colour: Colour | None
    remark: str
    opted_out: bool
    confirmed: bool
    id: int | None = None  # with the version: what "Bekræft alle uændrede" sends back
    version: int = 0


# A row as the rules see it: the recommendation, and its entry once the report is started
# (the ORM objects, or just their columns).
RuleRow = tuple[RecommendationLike, EntryLike | None]


@dataclass(frozen=True)
class Missing:
    """Something that stands in the way of submitting, tied to the row it concerns."""

    recommendation_key: str
    recommendation_text: str
    message: str
    unconfirmed: bool = False  # only that the row is carried over and not yet confirmed


@dataclass(frozen=True)
class ReportProgress:
    """How far a report has come: what the page shows above the rows and beside Indsend."""

    total: int
    filled: int  # rows with a colour or fravalgt
    unconfirmed: int  # rows carried over from last year that nobody has confirmed or changed
    missing: list[Missing]
    done: int = 0  # rows with a colour or fravalgt, confirmed, and lacking nothing: the one progress shown
    # (row id, version) of each row still unconfirmed: what "Bekræft alle uændrede" sends back.
    unconfirmed_versions: tuple[tuple[int, int], ...] = ()

    @property
    def ready(self) -> bool:
        return not self.missing


class SubmitIncomplete(DomainError):
    """Submit was refused; ``missing`` lists every row that needs something."""

    status_code = 422

    def __init__(self, missing: list[Missing]) -> None:
        super().__init__(f"Rapporten kan ikke indsendes endnu: {len(missing)} forhold mangler.")
        self.missing = missing


def missing_for_submit(rows: Iterable[RuleRow]) -> list[Missing]:
    """What submit requires: a colour on every skal row, a remark on every yellow or red row,
    and every row carried over from last year confirmed or changed."""
    missing = []
    for rec, entry in rows:
        colour = entry.colour if entry else None
        if rec.kind == Kind.SKAL and colour is None:
            missing.append(Missing(rec.key, rec.text, "SKAL-anbefalingen mangler en farve."))
        if colour is not None and colour.needs_remark and not (entry and entry.remark):
            missing.append(Missing(rec.key, rec.text, f"{colour.label} kræver en bemærkning."))
        if entry is not None and not entry.confirmed:
            missing.append(Missing(rec.key, rec.text, "Overført fra sidste år: bekræft eller ret rækken.", True))
    return missing


def progress_of(rows: Iterable[RuleRow]) -> ReportProgress:
    """How far the report has come. ``done`` counts the rows that are finished: filled in (a
    colour, or fravalgt), confirmed, and with nothing missing for submit; it is the one count the
    page shows, so "udfyldt" and "ikke bekræftet" never read as a contradiction."""
    rows = list(rows)
    missing = missing_for_submit(rows)
    lacking = {item.recommendation_key for item in missing}
    return ReportProgress(
        total=len(rows),
        filled=sum(1 for _rec, entry in rows if entry and (entry.colour or entry.opted_out)),
        unconfirmed=sum(1 for _rec, entry in rows if entry is not None and not entry.confirmed),
        missing=missing,
        done=sum(
            1
            for rec, entry in rows
            if entry and (entry.colour or entry.opted_out) and entry.confirmed and rec.key not in lacking
        ),
        unconfirmed_versions=tuple(
            (entry.id or 0, entry.version) for _rec, entry in rows if entry is not None and not entry.confirmed
        ),
    )


def state_of(report: StatusReport | None) -> ReportState:
    """A report's state, ``NOT_STARTED`` while it has no row."""
    return ReportState.NOT_STARTED if report is None else report.state


def scope_of(
    municipality: Municipality, report: StatusReport | None, reporting_round: ReportingRound | None = None
) -> ReportScope:
    """Where a report belongs for ``access``; with its round, whether that round is still planned
    (and so hidden from municipalities)."""
    return ReportScope(
        municipality_code=municipality.code,
        kkr_id=municipality.kkr_id,
        submitted=state_of(report).is_submitted,
        round_planned=reporting_round is not None and reporting_round.state == RoundState.PLANNED,
    )


def rows_locked(reporting_round: ReportingRound, report: StatusReport | None) -> NotAllowedNow | None:
    """Why nobody can change this report's rows now, or None when they can: the round must be
    open and the report started and not yet submitted. Access is ``access.require``'s business."""
    if reporting_round.state != RoundState.OPEN:
        return NotAllowedNow(f"Opfølgningsrunden for {reporting_round.year} er ikke åben for indberetning.")
    if report is not None and not report.state.is_open_for_editing:
        return NotAllowedNow("Rapporten er indsendt og kan ikke ændres. En koordinator kan genåbne den.")
    return None


def start_refused(reporting_round: ReportingRound, report: StatusReport | None) -> NotAllowedNow | None:
    """Why the report cannot be started now, or None: only once, and only while the round is open."""
    if report is not None:
        return NotAllowedNow("Statusrapporten er allerede startet.")
    return rows_locked(reporting_round, None)


def reopen_refused(reporting_round: ReportingRound, report: StatusReport | None) -> NotAllowedNow | None:
    """Why a coordinator cannot reopen the report now, or None: it must be submitted, in an open round."""
    if (locked := rows_locked(reporting_round, None)) is not None:
        return locked
    if not state_of(report).is_submitted:
        return NotAllowedNow("Rapporten er ikke indsendt, så der er intet at genåbne.")
    return None


def send_back_refused(reporting_round: ReportingRound, report: StatusReport | None) -> NotAllowedNow | None:
    """Why a coordinator cannot send the report back now, or None: it must be submitted (not yet
    approved), and the round open, so the municipality can make the changes asked for."""
    if (locked := rows_locked(reporting_round, None)) is not None:
        return locked
    if state_of(report) != ReportState.SUBMITTED:
        return NotAllowedNow("Kun en indsendt rapport, der ikke er godkendt, kan sendes tilbage.")
    return None


def approve_refused(reporting_round: ReportingRound, report: StatusReport | None) -> NotAllowedNow | None:
    """Why a coordinator cannot approve the report now, or None: it must be submitted, and the
    round open or closed (a closed round is still reviewed; a published one is frozen)."""
    if reporting_round.state not in (RoundState.OPEN, RoundState.CLOSED):
        return NotAllowedNow(f"Opfølgningsrunden for {reporting_round.year} er {reporting_round.state.label.lower()}.")
    if state_of(report) != ReportState.SUBMITTED:
        return NotAllowedNow("Kun en indsendt rapport, der ikke er godkendt, kan godkendes.")
    return None


def committee_refused(reporting_round: ReportingRound, report: StatusReport | None) -> NotAllowedNow | None:
    """Why the committee's handling cannot be recorded now, or None.

    Allowed after submission and after the round has closed, since councils meet after the
    deadline; not once the round is published, as the published report is frozen.
    """
    if report is None:
        return NotAllowedNow("Statusrapporten er ikke startet.")
    if reporting_round.state == RoundState.PUBLISHED:
        return NotAllowedNow("Runden er offentliggjort; rapportens oplysninger kan ikke længere ændres.")
    return None
