"""Generated rounds for the rollup tests: every municipality of a KKR with a random report (or
none), written straight to the tables, and the plan it followed so a test can count on its own."""

import random
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from sqlmodel import Session, col, select

from app.db import Database
from app.domain.catalogue import load_catalogue
from app.domain.catalogue_file import parse_catalogue_file
from app.domain.rounds import create_round
from app.domain.vocabulary import Colour, Kind, ReportState, RoundState
from app.models import Kkr, Municipality, Recommendation, ReportingRound, StatusEntry, StatusReport
from tests.factories import HOVEDSTADEN, NOW

COLOURS = (Colour.GREEN, Colour.YELLOW, Colour.RED)


@dataclass(frozen=True)
class RowPlan:
    colour: Colour | None
    opted_out: bool = False
    confirmed: bool = True
    remark: str = ""


@dataclass
class ReportPlan:
    state: ReportState  # NOT_STARTED: no report at all
    rows: dict[str, RowPlan] = field(default_factory=dict)


# municipality code -> its report
Plan = dict[int, ReportPlan]


def load_edition(db: Database, path: Path) -> None:
    with db.write() as session:
        load_catalogue(session, parse_catalogue_file(path), now=NOW)


def make_closed_round(db: Database, year: int, catalogue_key: str, kkr: str = HOVEDSTADEN) -> ReportingRound:
    with db.write() as session:
        return create_round(
            session,
            kkr_name=kkr,
            catalogue_key=catalogue_key,
            year=year,
            opens_on=date(year + 1, 1, 2),
            deadline=date(year + 1, 2, 28),
            state=RoundState.CLOSED,
            now=NOW,
        )


def recommendations_of(session: Session, catalogue_key: str, year: int) -> list[Recommendation]:
    from app.models import Catalogue

    recs = session.exec(
        select(Recommendation)
        .join(Catalogue, col(Catalogue.id) == Recommendation.catalogue_id)
        .where(Catalogue.key == catalogue_key)
        .order_by(col(Recommendation.position))
    ).all()
    return [r for r in recs if r.first_year <= year and (r.last_year is None or year <= r.last_year)]


def municipality_codes(session: Session, kkr: str = HOVEDSTADEN) -> list[int]:
    return list(
        session.exec(
            select(Municipality.code)
            .join(Kkr, col(Kkr.id) == Municipality.kkr_id)
            .where(Kkr.name == kkr)
            .order_by(col(Municipality.code))
        )
    )


def random_plan(session: Session, catalogue_key: str, year: int, rng: random.Random, kkr: str = HOVEDSTADEN) -> Plan:
    """A plan with every kind of cell: no report, a report in progress, submitted reports with
    colours, fravalgt KAN rows, empty KAN rows and (against the submit rule, as an import or an
    older version might leave them) unconfirmed rows."""
    plan: Plan = {}
    recs = recommendations_of(session, catalogue_key, year)
    for code in municipality_codes(session, kkr):
        draw = rng.random()
        state = (
            ReportState.NOT_STARTED if draw < 0.1 else ReportState.IN_PROGRESS if draw < 0.2 else ReportState.SUBMITTED
        )
        report = ReportPlan(state)
        if state != ReportState.NOT_STARTED:
            for rec in recs:
                report.rows[rec.key] = _random_row(rec.kind, rng)
        plan[code] = report
    return plan


def _random_row(kind: Kind, rng: random.Random) -> RowPlan:
    draw = rng.random()
    if kind == Kind.KAN and draw < 0.1:
        return RowPlan(None, opted_out=True)
    if kind == Kind.KAN and draw < 0.15:
        return RowPlan(None)
    colour = rng.choice(COLOURS)
    return RowPlan(colour, confirmed=rng.random() > 0.05, remark=f"Bemærkning om {colour.label.lower()}.")


def write_plan(db: Database, reporting_round: ReportingRound, catalogue_key: str, plan: Plan) -> None:
    """The plan as report and entry rows of ``reporting_round``."""
    with db.write() as session:
        recs = {rec.key: rec for rec in recommendations_of(session, catalogue_key, reporting_round.year)}
        for code, report_plan in plan.items():
            if report_plan.state == ReportState.NOT_STARTED:
                continue
            assert reporting_round.id is not None
            report = StatusReport(
                round_id=reporting_round.id,
                municipality_code=code,
                state=report_plan.state,
                started_at=NOW,
                submitted_at=NOW if report_plan.state == ReportState.SUBMITTED else None,
            )
            session.add(report)
            session.flush()
            assert report.id is not None
            for key, row in report_plan.rows.items():
                rec_id = recs[key].id
                assert rec_id is not None
                session.add(
                    StatusEntry(
                        report_id=report.id,
                        recommendation_id=rec_id,
                        colour=row.colour,
                        remark=row.remark,
                        opted_out=row.opted_out,
                        opt_out_reason="Ikke relevant." if row.opted_out else "",
                        confirmed=row.confirmed,
                    )
                )


def generated_round(db: Database, year: int, catalogue_key: str, seed: int) -> tuple[ReportingRound, Plan]:
    reporting_round = make_closed_round(db, year, catalogue_key)
    with db.read() as session:
        plan = random_plan(session, catalogue_key, year, random.Random(seed))
    write_plan(db, reporting_round, catalogue_key, plan)
    return reporting_round, plan
