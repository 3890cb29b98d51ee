"""A round's life: planned -> open -> closed (-> open again), one per KKR and status year.

A planned round is invisible to municipalities (``access``: ``ReportScope.round_planned``); an
open one takes their reports; a closed one is read-only to them (``reports.rules.rows_locked``).
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from app.domain.access import Action, Actor, KkrScope, manages_rounds, require
from app.domain.documents.renders import request_renders
from app.domain.errors import InvalidInput, NotAllowedNow, NotFound
from app.domain.municipalities import find_kkr
from app.domain.vocabulary import Role, RoundState
from app.models import Catalogue, Kkr, Municipality, Recommendation, ReportingRound

DEFAULT_REMINDER_DAYS = (14, 3, -1)
FIRST_YEAR, LAST_YEAR = 2000, 2100
ROUND_NOT_FOUND = "Opfølgningsrunden findes ikke, eller du har ikke adgang til den."


# ---------------------------------------------------------------------------- lookups


def find_round(session: Session, kkr_id: int, year: int) -> ReportingRound | None:
    return session.exec(
        select(ReportingRound).where(ReportingRound.kkr_id == kkr_id).where(ReportingRound.year == year)
    ).first()


def get_round(session: Session, kkr_id: int, year: int) -> ReportingRound:
    found = find_round(session, kkr_id, year)
    if found is None:
        raise NotFound(f"Der er ingen opfølgningsrunde for {year}.")
    return found


def get_round_by_id(session: Session, round_id: int) -> ReportingRound:
    found = session.get(ReportingRound, round_id)
    if found is None:
        raise NotFound(ROUND_NOT_FOUND)
    return found


def get_managed_round(session: Session, actor: Actor | None, round_id: int, action: Action) -> ReportingRound:
    """The round, if ``actor`` may do ``action`` to it (None: the operator at the command line)."""
    reporting_round = get_round_by_id(session, round_id)
    if actor is not None:
        require(actor, action, KkrScope(reporting_round.kkr_id))
    return reporting_round


@dataclass(frozen=True)
class RoundSummary:
    round: ReportingRound
    kkr: Kkr
    catalogue: Catalogue


def list_rounds(session: Session, actor: Actor | None = None, *, kkr_name: str | None = None) -> list[RoundSummary]:
    """The rounds the actor manages (an admin or the CLI: all; a coordinator: their KKR's), by
    KKR, newest year first. Anyone else is told the page does not exist."""
    query = (
        select(ReportingRound, Kkr, Catalogue)
        .join(Kkr, col(Kkr.id) == ReportingRound.kkr_id)
        .join(Catalogue, col(Catalogue.id) == ReportingRound.catalogue_id)
        .order_by(col(Kkr.name), col(ReportingRound.year).desc())
    )
    if actor is not None and not manages_rounds(actor):
        raise NotFound("Siden findes ikke.")  # editors and readers find their rounds on the front page
    if actor is not None and actor.role is Role.COORDINATOR:
        query = query.where(ReportingRound.kkr_id == actor.kkr_id)
    if kkr_name is not None:
        query = query.where(Kkr.name == kkr_name)
    return [RoundSummary(*row) for row in session.exec(query)]


def managed_kkrs(session: Session, actor: Actor) -> list[Kkr]:
    """The KKRs for which ``actor`` may create rounds: an admin all, a coordinator their own."""
    query = select(Kkr).order_by(col(Kkr.name))
    if actor.role is Role.COORDINATOR:
        query = query.where(Kkr.id == actor.kkr_id)
    elif actor.role is not Role.ADMIN:
        return []
    return list(session.exec(query))


# ---------------------------------------------------------------------------- catalogue editions


@dataclass(frozen=True)
class EditionChoice:
    """A catalogue edition a round could use, and the status years its recommendations cover."""

    catalogue: Catalogue
    first_year: int | None
    last_year: int | None  # None: still in force
    covers: bool  # its years cover the round's status year

    @property
    def years_label(self) -> str:
        if self.first_year is None:
            return "ingen anbefalinger"
        return f"{self.first_year}–{self.last_year}" if self.last_year else f"fra {self.first_year}"


def edition_choices(session: Session, kkr_id: int, year: int | None) -> list[EditionChoice]:
    """The KKR's catalogue editions for a round of ``year``: the ones whose years cover it first
    (the newest adopted first among them), then the rest."""
    rows = session.exec(
        select(
            Catalogue,
            func.min(Recommendation.first_year),
            func.max(func.coalesce(Recommendation.last_year, LAST_YEAR + 1)),
        )
        .outerjoin(Recommendation, col(Recommendation.catalogue_id) == Catalogue.id)
        .where(Catalogue.kkr_id == kkr_id)
        .group_by(col(Catalogue.id))
    ).all()
    choices = []
    for catalogue, first, last in rows:
        last_year = None if last is None or last > LAST_YEAR else int(last)
        covers = year is not None and first is not None and first <= year and (last_year is None or year <= last_year)
        choices.append(EditionChoice(catalogue, first, last_year, covers))
    return sorted(choices, key=lambda c: (not c.covers, -c.catalogue.adopted_on.toordinal(), c.catalogue.key))


# ---------------------------------------------------------------------------- create


def first_year_without_round(taken: Iterable[int], from_year: int) -> int:
    """The first status year from ``from_year`` on that is not in ``taken``."""
    years = set(taken)
    year = from_year
    while year in years:
        year += 1
    return year


def proposed_year(session: Session, kkr_id: int, *, now: datetime) -> int:
    """The status year the form for a new round proposes: the first from this year on (Danish
    calendar) that the KKR has no round for, so it never suggests a year already taken."""
    taken = session.exec(select(ReportingRound.year).where(ReportingRound.kkr_id == kkr_id))
    return first_year_without_round(taken, local_date(now).year)


def parse_reminder_days(text: str) -> tuple[int, ...]:
    """ "14, 3, -1" -> (14, 3, -1): days before the deadline; -1 is the day after it."""
    days: list[int] = []
    for part in text.replace(";", ",").split(","):
        part = part.strip()
        if not part:
            continue
        try:
            day = int(part)
        except ValueError:
            raise InvalidInput(
                f"{part!r} er ikke et antal dage. Skriv fx 14, 3, -1 (dage før fristen; -1 er dagen efter).",
                field="reminder_days",
            ) from None
        if not -30 <= day <= 365:
            raise InvalidInput(
                "Påmindelser kan ligge fra 365 dage før til 30 dage efter fristen.", field="reminder_days"
            )
        if day == 0:
            raise InvalidInput(
                "Skriv 1 for dagen før fristen eller -1 for dagen efter; 0 er ikke et trin.", field="reminder_days"
            )
        if day in days:
            raise InvalidInput(f"{day} står to gange i planen.", field="reminder_days")
        days.append(day)
    return tuple(sorted(days, reverse=True))


def format_reminder_days(days: tuple[int, ...]) -> str:
    return ",".join(str(day) for day in days)


def create_round(
    session: Session,
    *,
    kkr_name: str,
    catalogue_key: str,
    year: int,
    opens_on: date,
    deadline: date,
    state: RoundState = RoundState.PLANNED,
    now: datetime,
    reminder_days: tuple[int, ...] = DEFAULT_REMINDER_DAYS,
) -> ReportingRound:
    """Create the round for ``year`` (the status year) of a KKR, against one of its catalogues.

    A round is created planned (invisible to municipalities) unless ``state`` says otherwise.
    Refused: an unknown KKR, a catalogue of another KKR, a deadline before the opening date, a
    second round for the same year.
    """
    kkr = find_kkr(session, kkr_name)
    if kkr is None:
        raise InvalidInput(f"Ukendt KKR {kkr_name!r}.", field="kkr")
    catalogue = session.exec(select(Catalogue).where(Catalogue.key == catalogue_key)).first()
    if catalogue is None or catalogue.kkr_id != kkr.id:
        raise InvalidInput(f"{kkr_name} har intet katalog {catalogue_key!r}.", field="catalogue")
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise InvalidInput(f"Statusåret skal ligge mellem {FIRST_YEAR} og {LAST_YEAR}.", field="year")
    if deadline < opens_on:
        raise InvalidInput("Fristen ligger før åbningsdatoen.", field="deadline")
    assert kkr.id is not None
    if find_round(session, kkr.id, year) is not None:
        raise InvalidInput(f"{kkr_name} har allerede en runde for {year}.", field="year")
    assert catalogue.id is not None
    reporting_round = ReportingRound(
        kkr_id=kkr.id,
        catalogue_id=catalogue.id,
        year=year,
        opens_on=opens_on,
        deadline=deadline,
        state=state,
        created_at=now,
        reminder_days=format_reminder_days(reminder_days),
    )
    session.add(reporting_round)
    try:
        session.flush()
    except IntegrityError:  # the same round created a moment ago by someone else
        raise InvalidInput(f"{kkr_name} har allerede en runde for {year}.", field="year") from None
    return reporting_round


@dataclass(frozen=True)
class RoundInput:
    """A new round as the coordinator's form or the API sends it."""

    kkr_id: int | None
    year: int | None
    catalogue_key: str
    opens_on: date | None
    deadline: date | None
    reminder_days: str = format_reminder_days(DEFAULT_REMINDER_DAYS)


def plan_round(session: Session, actor: Actor, data: RoundInput, *, now: datetime) -> ReportingRound:
    """A coordinator (their KKR) or an admin (any KKR) creates a planned round."""
    kkr = session.get(Kkr, data.kkr_id) if data.kkr_id is not None else None
    if kkr is None:
        raise InvalidInput("Vælg en KKR.", field="kkr")
    assert kkr.id is not None
    require(actor, Action.MANAGE_ROUND, KkrScope(kkr.id))
    if data.year is None:
        raise InvalidInput("Angiv statusåret.", field="year")
    if data.opens_on is None:
        raise InvalidInput("Angiv åbningsdatoen.", field="opens_on")
    if data.deadline is None:
        raise InvalidInput("Angiv fristen.", field="deadline")
    catalogue_key = data.catalogue_key.strip()
    if not catalogue_key:
        choices = edition_choices(session, kkr.id, data.year)
        if not choices:
            raise InvalidInput(f"{kkr.name} har intet katalog endnu.", field="catalogue")
        catalogue_key = choices[0].catalogue.key
    return create_round(
        session,
        kkr_name=kkr.name,
        catalogue_key=catalogue_key,
        year=data.year,
        opens_on=data.opens_on,
        deadline=data.deadline,
        now=now,
        reminder_days=parse_reminder_days(data.reminder_days),
    )


# ---------------------------------------------------------------------------- open, close, reopen


def open_refused(reporting_round: ReportingRound) -> NotAllowedNow | None:
    """Why the round cannot be opened, or None: only a planned round is opened."""
    if reporting_round.state is RoundState.PLANNED:
        return None
    if reporting_round.state is RoundState.OPEN:
        return NotAllowedNow("Runden er allerede åben.")
    return NotAllowedNow("Runden har været åben; en lukket runde genåbnes.")


def close_refused(reporting_round: ReportingRound) -> NotAllowedNow | None:
    """Why the round cannot be closed, or None: only an open round is closed."""
    if reporting_round.state is RoundState.OPEN:
        return None
    if reporting_round.state is RoundState.PLANNED:
        return NotAllowedNow("Runden er ikke åbnet endnu.")
    return NotAllowedNow("Runden er allerede lukket.")


def reopen_round_refused(reporting_round: ReportingRound) -> NotAllowedNow | None:
    """Why the round cannot be reopened, or None: a closed round can; a published one is frozen."""
    if reporting_round.state is RoundState.CLOSED:
        return None
    if reporting_round.state is RoundState.PUBLISHED:
        return NotAllowedNow("Runden er offentliggjort og kan ikke genåbnes.")
    return NotAllowedNow("Kun en lukket runde kan genåbnes.")


def _move(
    session: Session,
    actor: Actor | None,
    round_id: int,
    refusal_of: Callable[[ReportingRound], NotAllowedNow | None],
    state: RoundState,
) -> ReportingRound:
    reporting_round = get_managed_round(session, actor, round_id, Action.MANAGE_ROUND)
    refusal = refusal_of(reporting_round)
    if refusal is not None:
        raise refusal
    reporting_round.state = state
    session.add(reporting_round)
    session.flush()
    return reporting_round


def open_round(session: Session, actor: Actor | None, round_id: int, *, now: datetime) -> ReportingRound:
    """Open a planned round: the municipalities see it and can start their reports."""
    return _move(session, actor, round_id, open_refused, RoundState.OPEN)


def close_round(session: Session, actor: Actor | None, round_id: int, *, now: datetime) -> ReportingRound:
    """Close an open round: every report becomes read-only to the municipalities."""
    closed = _move(session, actor, round_id, close_refused, RoundState.CLOSED)
    _renders_follow(session, closed, now)
    return closed


def reopen_round(session: Session, actor: Actor | None, round_id: int, *, now: datetime) -> ReportingRound:
    """Open a closed round again, for late reports or changes."""
    reopened = _move(session, actor, round_id, reopen_round_refused, RoundState.OPEN)
    _renders_follow(session, reopened, now)
    return reopened


def _renders_follow(session: Session, reporting_round: ReportingRound, now: datetime) -> None:
    """Closing or reopening changes every report of the round (the state on the cover, the KKR's
    distribution beside each council's rows): render them all again."""
    assert reporting_round.id is not None
    codes = list(session.exec(select(Municipality.code).where(Municipality.kkr_id == reporting_round.kkr_id)))
    request_renders(session, reporting_round.id, now=now, every_municipality=codes)


def set_reminder_schedule(
    session: Session, actor: Actor | None, round_id: int, reminder_days: str, *, now: datetime
) -> ReportingRound:
    """Set the round's reminder schedule (days before the deadline; -1 the day after)."""
    reporting_round = get_managed_round(session, actor, round_id, Action.MANAGE_ROUND)
    if reporting_round.state in (RoundState.CLOSED, RoundState.PUBLISHED):
        raise NotAllowedNow("Runden er lukket; der sendes ikke flere påmindelser.")
    reporting_round.reminder_days = format_reminder_days(parse_reminder_days(reminder_days))
    session.add(reporting_round)
    session.flush()
    return reporting_round


COPENHAGEN = ZoneInfo("Europe/Copenhagen")


def local_date(now: datetime) -> date:
    """The date in Denmark at ``now``: deadlines and reminder days are Danish calendar days."""
    return now.astimezone(COPENHAGEN).date()
