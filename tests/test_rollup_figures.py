"""Every figure of a round's rollup, on a generated round of all 29 Hovedstaden municipalities,
against counts made here from the plan the round was generated from."""

from collections import Counter

import pytest

from app.db import Database
from app.domain.access import Actor
from app.domain.errors import NotFound
from app.domain.rollup import rollup_for
from app.domain.rollup.figures import Tally, percent, tally
from app.domain.vocabulary import Colour, Kind, ReportState, Role, Standing
from app.models import Recommendation
from tests.factories import CATALOGUE
from tests.rollup_data import Plan, RowPlan, generated_round, recommendations_of

YEAR = 2024
ADMIN = Actor(user_id=1, role=Role.ADMIN)


def expected_standing(plan: Plan, code: int, key: str) -> Standing:
    """The rule, restated: only submitted reports count; fravalgt, then unconfirmed, then the
    colour; anything else is not reported."""
    report = plan[code]
    if report.state != ReportState.SUBMITTED:
        return Standing.NOT_REPORTED
    row: RowPlan = report.rows[key]
    if row.opted_out:
        return Standing.OPTED_OUT
    if not row.confirmed:
        return Standing.UNCONFIRMED
    return Standing(row.colour.value) if row.colour else Standing.NOT_REPORTED


def check(tally_: Tally, cells: list[tuple[Kind, Standing]]) -> None:
    counts = Counter(standing for _kind, standing in cells)
    assert tally_.total == len(cells)
    for standing in Standing:
        assert tally_.count(standing) == counts[standing], standing
        assert tally_.share(standing) == pytest.approx(counts[standing] / len(cells))
    coloured = counts[Standing.GREEN] + counts[Standing.YELLOW] + counts[Standing.RED]
    started = counts[Standing.GREEN] + counts[Standing.YELLOW]
    assert tally_.started == started
    assert tally_.started_share == (pytest.approx(started / coloured) if coloured else None)
    skal = [standing for kind, standing in cells if kind == Kind.SKAL]
    skal_coloured = [s for s in skal if s in (Standing.GREEN, Standing.YELLOW, Standing.RED)]
    expected = skal_coloured.count(Standing.GREEN) / len(skal_coloured) if skal_coloured else None
    assert tally_.skal_compliance == (pytest.approx(expected) if expected is not None else None)


@pytest.fixture
def generated(db: Database) -> tuple[int, Plan, list[Recommendation]]:
    reporting_round, plan = generated_round(db, YEAR, CATALOGUE, seed=29)
    with db.read() as session:
        recs = recommendations_of(session, CATALOGUE, YEAR)
    return reporting_round.kkr_id, plan, recs


def test_every_figure_of_a_generated_round_matches_an_independent_count(
    db: Database, generated: tuple[int, Plan, list[Recommendation]]
) -> None:
    kkr_id, plan, recs = generated
    assert len(plan) == 29 and len(recs) == 16
    # The plan has every kind of cell, or the test proves less than it says.
    everything = [(rec.kind, expected_standing(plan, code, rec.key)) for code in plan for rec in recs]
    assert {standing for _kind, standing in everything} == set(Standing)

    with db.read() as session:
        figures = rollup_for(session, ADMIN, kkr_id, YEAR)

    assert figures.round.year == YEAR and figures.round.kkr_name == "KKR Hovedstaden"
    submitted = [code for code, report in plan.items() if report.state == ReportState.SUBMITTED]
    assert (figures.participation.municipalities, figures.participation.submitted) == (29, len(submitted))
    check(figures.overall, everything)

    assert [f.recommendation.key for f in figures.by_recommendation] == [rec.key for rec in recs]
    for rec_figures, rec in zip(figures.by_recommendation, recs, strict=True):
        check(rec_figures.tally, [(rec.kind, expected_standing(plan, code, rec.key)) for code in plan])
        assert figures.recommendation(rec.key) == rec_figures

    # The catalogue's keys name their focus area: hov15-v1 is virksomhedsrettede, and so on.
    prefixes = {"virksomhedsrettede": "v", "borgerrettede": "b", "medarbejdere": "o", "dokumentation": "d"}
    assert [f.focus_area.key for f in figures.by_focus_area] == list(prefixes)
    for area_figures in figures.by_focus_area:
        in_area = [rec for rec in recs if rec.key.startswith(f"hov15-{prefixes[area_figures.focus_area.key]}")]
        assert in_area
        cells = [(rec.kind, expected_standing(plan, code, rec.key)) for code in plan for rec in in_area]
        check(area_figures.tally, cells)

    assert [f.kind for f in figures.by_kind] == [Kind.SKAL, Kind.KAN]
    for kind_figures in figures.by_kind:
        cells = [(r.kind, expected_standing(plan, c, r.key)) for c in plan for r in recs if r.kind == kind_figures.kind]
        check(kind_figures.tally, cells)

    assert len(figures.by_municipality) == 29
    for municipality_figures in figures.by_municipality:
        code = municipality_figures.municipality.code
        assert municipality_figures.submitted == (code in submitted)
        check(municipality_figures.tally, [(rec.kind, expected_standing(plan, code, rec.key)) for rec in recs])
        assert figures.municipality(code) == municipality_figures
    names = [f.municipality.name for f in figures.by_municipality]
    assert names[0] == "Albertslund" and names[-1] == "Vallensbæk"


def test_fravalgt_and_not_reported_are_never_red_nor_lower_the_shares() -> None:
    cells = [
        (Kind.SKAL, Standing.GREEN),
        (Kind.SKAL, Standing.RED),
        (Kind.SKAL, Standing.NOT_REPORTED),
        (Kind.KAN, Standing.YELLOW),
        (Kind.KAN, Standing.OPTED_OUT),
        (Kind.KAN, Standing.NOT_REPORTED),
    ]
    counted = tally(cells)
    assert (counted.red, counted.opted_out, counted.not_reported) == (1, 1, 2)
    assert counted.skal_compliance == pytest.approx(1 / 2)  # the not reported SKAL row is left out
    assert counted.started_share == pytest.approx(2 / 3)  # grøn + gul of the three coloured rows
    assert percent(counted.started_share) == "67 %"
    assert percent(tally([]).started_share) == "–"
    assert tally([]).skal_compliance is None and tally([]).share(Standing.GREEN) is None


def test_a_municipality_that_did_not_submit_counts_as_not_reported_on_every_row(
    db: Database, generated: tuple[int, Plan, list[Recommendation]]
) -> None:
    kkr_id, plan, recs = generated
    missing = next(code for code, report in plan.items() if report.state == ReportState.IN_PROGRESS)
    with db.read() as session:
        figures = rollup_for(session, ADMIN, kkr_id, YEAR).municipality(missing)
    assert not figures.submitted
    assert figures.tally.not_reported == len(recs) == figures.tally.total
    assert figures.tally.skal_compliance is None


def test_no_such_round_or_recommendation_says_so_in_danish(
    db: Database, generated: tuple[int, Plan, list[Recommendation]]
) -> None:
    kkr_id, _plan, _recs = generated
    with db.read() as session, pytest.raises(NotFound, match="KKR Hovedstaden har ingen opfølgningsrunde for 2019"):
        rollup_for(session, ADMIN, kkr_id, 2019)
    with db.read() as session:
        figures = rollup_for(session, ADMIN, kkr_id, YEAR)
    with pytest.raises(NotFound, match="Anbefalingen 'hov99-x' indgår ikke"):
        figures.recommendation("hov99-x")
    with pytest.raises(NotFound, match="Kommunekode 751 indgår ikke"):
        figures.municipality(751)


def test_a_coordinator_reads_only_their_own_kkrs_rollup(
    db: Database, generated: tuple[int, Plan, list[Recommendation]]
) -> None:
    kkr_id, _plan, _recs = generated
    own = Actor(user_id=2, role=Role.COORDINATOR, kkr_id=kkr_id)
    other = Actor(user_id=3, role=Role.COORDINATOR, kkr_id=kkr_id + 1)
    editor = Actor(user_id=4, role=Role.EDITOR, municipality_code=751)
    with db.read() as session:
        assert rollup_for(session, own, kkr_id, YEAR).participation.municipalities == 29
        assert rollup_for(session, editor, kkr_id, YEAR).participation.municipalities == 29
        with pytest.raises(NotFound, match="findes ikke, eller du har ikke adgang"):
            rollup_for(session, other, kkr_id, YEAR)


def test_colour_and_standing_shapes_are_distinct_from_the_markers() -> None:
    shapes = {standing.shape for standing in Standing}
    assert len(shapes) == len(Standing)
    assert not shapes & {"▲", "▼", "="}
    assert Standing.of_colour(Colour.YELLOW).colour is Colour.YELLOW
    assert Standing.OPTED_OUT.colour is None


def test_the_national_figures_add_up_every_kkrs_cells(db: Database) -> None:
    from app.domain.rollup.national import national_figures

    reporting_round, plan = generated_round(db, YEAR, CATALOGUE, seed=29)
    with db.read() as session:
        national = national_figures(session, ADMIN, YEAR)
        own = national_figures(session, Actor(user_id=2, role=Role.COORDINATOR, kkr_id=reporting_round.kkr_id), YEAR)
        with pytest.raises(NotFound, match="Der er ingen opfølgningsrunder for 2019"):
            national_figures(session, ADMIN, 2019)
        with pytest.raises(NotFound):
            national_figures(session, Actor(user_id=3, role=Role.COORDINATOR, kkr_id=reporting_round.kkr_id + 1), YEAR)
    # Only Hovedstaden has a round here; the national figures are its figures.
    assert [r.round.kkr_name for r in national.rounds] == ["KKR Hovedstaden"] == [r.round.kkr_name for r in own.rounds]
    assert national.overall == national.rounds[0].overall and national.overall.total == 29 * 16
    submitted = sum(1 for report in plan.values() if report.state == ReportState.SUBMITTED)
    assert national.participation.submitted == submitted and len(national.by_municipality) == 29


def test_an_approved_report_counts_and_one_sent_back_does_not(db: Database) -> None:
    from tests.rollup_data import ReportPlan, make_closed_round, write_plan

    reporting_round = make_closed_round(db, YEAR, CATALOGUE)
    rows = {"hov15-v1": RowPlan(Colour.GREEN)}
    write_plan(
        db,
        reporting_round,
        CATALOGUE,
        {201: ReportPlan(ReportState.APPROVED, dict(rows)), 165: ReportPlan(ReportState.SENT_BACK, dict(rows))},
    )
    with db.read() as session:
        figures = rollup_for(session, ADMIN, reporting_round.kkr_id, YEAR)
    assert figures.participation.submitted == 1
    assert figures.municipality(201).submitted and figures.municipality(201).tally.green == 1
    assert not figures.municipality(165).submitted and figures.municipality(165).tally.green == 0
