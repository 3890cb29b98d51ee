"""A whole round of KKR Hovedstaden's 29 municipalities, one editor each, with every state of
the follow-up overview, built through the domain's commands."""

from dataclasses import dataclass
from datetime import date, timedelta

from sqlmodel import col, select

from app.db import Database
from app.domain.accounts import actor_of
from app.domain.municipalities import find_kkr
from app.domain.reports.commands import EntryInput, record_committee, save_entry, submit_report
from app.domain.rounds.review import approve_report, send_back_report
from app.domain.vocabulary import FollowUpState, Role
from app.mail.compose import Composer
from app.models import Municipality, Recommendation, ReportingRound, StatusEntry, StatusReport, User
from tests.factories import HOVEDSTADEN, NOW, make_round, start
from tests.scenarios import quick_user

YEAR = 2025
COMPOSER = Composer("https://fremdrift.example.dk")

# How many municipalities end in each state (29 in all).
PLAN = {
    FollowUpState.NOT_STARTED: 8,
    FollowUpState.IN_PROGRESS: 7,
    FollowUpState.SUBMITTED: 5,
    FollowUpState.SENT_BACK: 3,
    FollowUpState.APPROVED: 4,
    FollowUpState.COMMITTEE: 2,
}


@dataclass
class FullRound:
    round: ReportingRound
    coordinator: User
    editors: dict[int, User]  # by municipality code
    states: dict[int, FollowUpState]  # what each municipality was made to be
    filled: dict[int, int]  # rows with a colour, by municipality code


def hovedstaden(db: Database) -> list[Municipality]:
    with db.read() as session:
        kkr = find_kkr(session, HOVEDSTADEN)
        assert kkr is not None
        return list(
            session.exec(select(Municipality).where(Municipality.kkr_id == kkr.id).order_by(col(Municipality.code)))
        )


def fill(db: Database, user: User, report: StatusReport, rows: int | None = None) -> int:
    """Green with a remark on the first ``rows`` rows (all when None); returns how many."""
    with db.write() as session:
        entries = session.exec(
            select(StatusEntry)
            .join(Recommendation, col(Recommendation.id) == StatusEntry.recommendation_id)
            .where(StatusEntry.report_id == report.id)
            .order_by(col(Recommendation.position))
        ).all()
        chosen = entries if rows is None else entries[:rows]
        for entry in chosen:
            assert entry.id is not None
            data = EntryInput("green", "Som anbefalet.", False, "", entry.version)
            save_entry(session, actor_of(user), entry.id, data, now=NOW)
        return len(chosen)


def build_full_round(db: Database) -> FullRound:
    reporting_round = make_round(db, YEAR)
    coordinator = quick_user(db, Role.COORDINATOR, name="Kirsten Koordinator")
    municipalities = hovedstaden(db)
    assert len(municipalities) == 29
    planned = [state for state, count in PLAN.items() for _ in range(count)]
    editors, states, filled = {}, {}, {}
    for index, (municipality, state) in enumerate(zip(municipalities, planned, strict=True)):
        editor = quick_user(
            db,
            Role.EDITOR,
            municipality_code=municipality.code,
            email=f"redaktoer-{municipality.code}@example.dk",
            name=f"Redaktør {municipality.name}",
        )
        editors[municipality.code], states[municipality.code] = editor, state
        filled[municipality.code] = 0
        if state is FollowUpState.NOT_STARTED:
            continue
        report = start(db, editor, municipality.code, YEAR)
        assert report.id is not None
        if state is FollowUpState.IN_PROGRESS:
            filled[municipality.code] = fill(db, editor, report, rows=index % 5 + 1)
            continue
        filled[municipality.code] = fill(db, editor, report)
        with db.write() as session:
            submit_report(session, actor_of(editor), report.id, now=NOW + timedelta(minutes=index))
        with db.write() as session:
            if state is FollowUpState.SENT_BACK:
                send_back_report(
                    session, actor_of(coordinator), report.id, comment="Uddyb V1.", now=NOW, composer=COMPOSER
                )
            elif state is FollowUpState.APPROVED:
                approve_report(session, actor_of(coordinator), report.id, now=NOW)
            elif state is FollowUpState.COMMITTEE:
                version = session.get(StatusReport, report.id).version  # type: ignore[union-attr]
                record_committee(
                    session,
                    actor_of(editor),
                    report.id,
                    committee_name="Beskæftigelsesudvalget",
                    committee_date=date(2026, 1, 15),
                    agenda_url="",
                    version=version,
                    now=NOW,
                )
    return FullRound(reporting_round, coordinator, editors, states, filled)
