"""Year over year across a new catalogue edition (one-to-one, split, merge, new), the escalation
list, the most improved, and a municipality's years side by side."""

from pathlib import Path

import pytest

from app.db import Database
from app.domain.access import Actor
from app.domain.errors import InvalidInput, NotFound
from app.domain.rollup import matrix_for, remarks_for, trend_for, where_to_act_for
from app.domain.rollup.change import no_previous_round_message, year_over_year
from app.domain.rollup.data import load_history
from app.domain.vocabulary import Change, Colour, Kind, ReportState, Role, Standing
from tests.factories import ALBERTSLUND, ALLEROED, CATALOGUE
from tests.rollup_data import Plan, ReportPlan, RowPlan, load_edition, make_closed_round, write_plan

EDITION_2017 = Path(__file__).parent / "fixtures" / "catalogues" / "new_edition_2017.yaml"
BALLERUP = 151
BROENDBY = 153
ADMIN = Actor(user_id=1, role=Role.ADMIN)
G, Y, R = Colour.GREEN, Colour.YELLOW, Colour.RED


def submitted(**rows: Colour | RowPlan | None) -> ReportPlan:
    plan = ReportPlan(ReportState.SUBMITTED)
    for key, value in rows.items():
        plan.rows[key.replace("_", "-")] = value if isinstance(value, RowPlan) else RowPlan(value, remark="Tekst.")
    return plan


def three_years(db: Database) -> int:
    """2015 and 2016 on the 2015 catalogue, 2017 on the second edition."""
    load_edition(db, EDITION_2017)
    plans: dict[int, tuple[str, Plan]] = {
        2015: (
            CATALOGUE,
            {
                ALLEROED: submitted(hov15_o1=R, hov15_o2=G, hov15_v1=Y),
                BALLERUP: submitted(hov15_o1=R),
            },
        ),
        2016: (
            CATALOGUE,
            {
                ALLEROED: submitted(hov15_v1=Y, hov15_b1=G, hov15_o1=R, hov15_o2=G),
                ALBERTSLUND: submitted(hov15_v1=G, hov15_b1=R, hov15_o1=G, hov15_o2=Y),
                BROENDBY: submitted(hov15_v1=G, hov15_o1=R),
                # Ballerup misses 2016: its streak of red ends there.
            },
        ),
        2017: (
            "kkr-hovedstaden-2017",
            {
                ALLEROED: submitted(hov17_v1=G, hov17_b1a=Y, hov17_b1b=G, hov17_o1=R, hov17_d1=G),
                ALBERTSLUND: submitted(
                    hov17_v1=G, hov17_b1a=G, hov17_b1b=RowPlan(None, opted_out=True), hov17_o1=G, hov17_d1=R
                ),
                BALLERUP: submitted(hov17_v1=G, hov17_o1=R),
                BROENDBY: submitted(hov17_v1=R, hov17_o1=RowPlan(R, remark="Stadig ikke igangsat.")),
            },
        ),
    }
    kkr_id = 0
    for year, (catalogue, plan) in plans.items():
        reporting_round = make_closed_round(db, year, catalogue)
        write_plan(db, reporting_round, catalogue, plan)
        kkr_id = reporting_round.kkr_id
    return kkr_id


def markers(db: Database, kkr_id: int, code: int) -> dict[str, tuple[Change | None, tuple[str, ...]]]:
    with db.read() as session:
        matrix = matrix_for(session, ADMIN, kkr_id, 2017)
    row = next(row for row in matrix.rows if row.municipality.code == code)
    found = {}
    for cell in row.cells:
        assert cell.comparison is not None
        found[cell.recommendation.key] = (cell.comparison.change, cell.comparison.sources)
    return found


def test_markers_follow_a_one_to_one_revision_a_split_and_a_merge(db: Database) -> None:
    kkr_id = three_years(db)
    assert markers(db, kkr_id, ALLEROED) == {
        "hov17-v1": (Change.BETTER, ("hov15-v1",)),  # gul -> grøn, one-to-one
        "hov17-d1": (Change.NEW, ()),
        "hov17-b1a": (Change.WORSE, ("hov15-b1",)),  # split: grøn -> gul
        "hov17-b1b": (Change.SAME, ("hov15-b1",)),  # split: grøn -> grøn
        "hov17-o1": (Change.SAME, ("hov15-o1", "hov15-o2")),  # merge: worst of rød, grøn is rød -> rød
    }
    albertslund = markers(db, kkr_id, ALBERTSLUND)
    assert albertslund["hov17-b1a"] == (Change.BETTER, ("hov15-b1",))  # rød -> grøn
    assert albertslund["hov17-b1b"] == (None, ("hov15-b1",))  # fravalgt has no direction
    assert albertslund["hov17-o1"] == (Change.BETTER, ("hov15-o1", "hov15-o2"))  # worst of grøn, gul -> grøn
    assert albertslund["hov17-d1"] == (Change.NEW, ())  # new is new, whatever the colour
    # Ballerup did not report in 2016: no direction, not "worse".
    assert markers(db, kkr_id, BALLERUP)["hov17-v1"] == (None, ("hov15-v1",))


def test_a_merged_cell_says_it_was_compared_with_the_worst_of_the_old_ones(db: Database) -> None:
    kkr_id = three_years(db)
    with db.read() as session:
        matrix = matrix_for(session, ADMIN, kkr_id, 2017)
    row = next(row for row in matrix.rows if row.municipality.code == ALBERTSLUND)
    merged = next(cell for cell in row.cells if cell.recommendation.key == "hov17-o1")
    assert merged.comparison is not None and merged.comparison.merged
    assert merged.comparison.previous is Standing.YELLOW
    assert merged.comparison.note == "Sammenlignet med den dårligste af hov15-o1 og hov15-o2 i 2016 (gul)."
    new = next(cell for cell in row.cells if cell.recommendation.key == "hov17-d1")
    assert new.comparison is not None and new.comparison.note == "Ny anbefaling: fandtes ikke i 2016."
    same = next(cell for cell in row.cells if cell.recommendation.key == "hov17-v1")
    assert same.comparison is not None and same.comparison.note == "Uændret siden 2016 (grøn)."


def test_the_first_round_has_no_previous_round_and_says_so(db: Database) -> None:
    kkr_id = three_years(db)
    with db.read() as session:
        history = load_history(session, kkr_id, 2015)
        matrix = matrix_for(session, ADMIN, kkr_id, 2015)
        act = where_to_act_for(session, ADMIN, kkr_id, 2015)
    assert year_over_year(history) is None
    assert (
        no_previous_round_message(history.current.round)
        == matrix.no_previous_round
        == act.no_previous_round
        == ("KKR Hovedstaden har ingen runde før 2015, så der er ingen udvikling at vise.")
    )
    assert matrix.previous_year is None and all(cell.comparison is None for row in matrix.rows for cell in row.cells)
    assert act.previous_year is None and act.most_improved_municipalities == ()


def test_escalation_lists_skal_rows_red_two_rounds_or_more_in_a_row(db: Database) -> None:
    kkr_id = three_years(db)
    with db.read() as session:
        act = where_to_act_for(session, ADMIN, kkr_id, 2017)
    listed = [(e.municipality.name, e.recommendation.key, e.years, e.sources) for e in act.escalations]
    assert listed == [
        # Red in 2015 and 2016 as hov15-o1 (the worst of the two it merges), and in 2017.
        ("Allerød", "hov17-o1", (2015, 2016, 2017), ("hov15-o1", "hov15-o2")),
        ("Brøndby", "hov17-o1", (2016, 2017), ("hov15-o1", "hov15-o2")),
    ]
    # Not listed: Brøndby's hov17-v1 (red this year only), Albertslund's hov17-d1 (a KAN row),
    # Ballerup's hov17-o1 (red in 2015 and 2017, but it did not report in 2016).


def test_most_improved_ranks_by_better_minus_worse_with_the_numbers(db: Database) -> None:
    kkr_id = three_years(db)
    with db.read() as session:
        act = where_to_act_for(session, ADMIN, kkr_id, 2017)
    assert act.previous_year == 2016
    best = [
        (m.municipality.name, m.movement.better, m.movement.worse, m.movement.net)
        for m in act.most_improved_municipalities
    ]
    assert best == [("Albertslund", 2, 0, 2)]  # Allerød: 1 better, 1 worse; Brøndby: 1 worse
    albertslund = act.most_improved_municipalities[0].movement
    assert (albertslund.same, albertslund.new, albertslund.no_direction) == (1, 1, 1)
    recs = [(r.recommendation.key, r.movement.net) for r in act.most_improved_recommendations]
    assert recs == [("hov17-o1", 1)]  # Albertslund ▲; hov17-b1a: one ▲ one ▼; hov17-v1: one ▲ one ▼


def test_a_municipalitys_years_follow_the_editions(db: Database) -> None:
    kkr_id = three_years(db)
    assert kkr_id
    with db.read() as session:
        trend = trend_for(session, ADMIN, ALLEROED)
    assert [(y.year, y.submitted) for y in trend.years] == [(2015, True), (2016, True), (2017, True)]
    rows = {row.recommendation.key: row for row in trend.rows}
    merged = rows["hov17-o1"]
    assert [cell.standing for cell in merged.cells] == [Standing.RED, Standing.RED, Standing.RED]
    assert merged.cells[0].merged and merged.cells[2].sources == ("hov17-o1",)
    v1 = rows["hov17-v1"]
    assert [cell.standing for cell in v1.cells] == [Standing.YELLOW, Standing.YELLOW, Standing.GREEN]
    assert [c.comparison.change if c.comparison else None for c in v1.cells] == [None, Change.SAME, Change.BETTER]
    d1 = rows["hov17-d1"]
    assert [cell.standing for cell in d1.cells] == [None, None, Standing.GREEN]
    assert d1.cells[2].comparison is not None and d1.cells[2].comparison.change is Change.NEW
    # hov15-v2 ... are retired without a successor: they are shown, marked as retired.
    assert rows["hov15-v2"].retired and [c.standing for c in rows["hov15-v2"].cells][2] is None
    assert not rows["hov17-v1"].retired and "hov15-o1" not in rows


def test_matrix_filters_and_sorts_and_refuses_values_that_are_not_options(db: Database) -> None:
    kkr_id = three_years(db)
    with db.read() as session:
        matrix = matrix_for(session, ADMIN, kkr_id, 2017, focus_area="borgerrettede", kind="skal", sort="hov17-o1")
        assert [c.recommendation.key for c in matrix.columns] == ["hov17-b1a"]
        assert [f.key for f in matrix.focus_areas] == ["virksomhedsrettede", "borgerrettede", "medarbejdere"]
        assert matrix.kinds == (Kind.SKAL, Kind.KAN)
        # Sorted by hov17-o1's colour, rød first, even though the filter hides that column.
        assert [row.municipality.name for row in matrix.rows][:3] == ["Allerød", "Ballerup", "Brøndby"]
        assert matrix.columns[0].tally.green == 1 and matrix.columns[0].tally.total == 29
        by_code = matrix_for(session, ADMIN, kkr_id, 2017, sort="kode")
        assert [row.municipality.code for row in by_code.rows][:2] == [101, 147]
        with pytest.raises(InvalidInput, match="'arbejdsmiljø' er ikke et fokusområde i kataloget for 2017") as bad:
            matrix_for(session, ADMIN, kkr_id, 2017, focus_area="arbejdsmiljø")
        assert bad.value.field == "fokusomraade"
        with pytest.raises(
            InvalidInput, match="'måske' er ikke en type anbefaling i kataloget for 2017: vælg SKAL eller KAN"
        ):
            matrix_for(session, ADMIN, kkr_id, 2017, kind="måske")
        with pytest.raises(InvalidInput, match="Kan ikke sortere efter 'farve'"):
            matrix_for(session, ADMIN, kkr_id, 2017, sort="farve")
        with pytest.raises(NotFound, match="ingen opfølgningsrunde for 2030"):
            matrix_for(session, ADMIN, kkr_id, 2030)


def test_remarks_of_a_cell_a_row_and_a_column(db: Database) -> None:
    kkr_id = three_years(db)
    with db.read() as session:
        cell = remarks_for(session, ADMIN, kkr_id, 2017, municipality_code=BROENDBY, recommendation_key="hov17-o1")
        row = remarks_for(session, ADMIN, kkr_id, 2017, municipality_code=ALBERTSLUND)
        column = remarks_for(session, ADMIN, kkr_id, 2017, recommendation_key="hov17-b1b")
        with pytest.raises(NotFound, match="Anbefalingen 'hov15-o1' indgår ikke i runden for 2017"):
            remarks_for(session, ADMIN, kkr_id, 2017, recommendation_key="hov15-o1")
        with pytest.raises(NotFound, match="Kommunekode 751 indgår ikke"):
            remarks_for(session, ADMIN, kkr_id, 2017, municipality_code=751)
    assert [(r.standing, r.text) for r in cell.remarks] == [(Standing.RED, "Stadig ikke igangsat.")]
    assert len(row.remarks) == 5 and row.municipality is not None and row.municipality.name == "Albertslund"
    assert [(r.recommendation.key, r.text) for r in row.remarks if r.standing is Standing.OPTED_OUT] == [
        ("hov17-b1b", "Ikke relevant.")
    ]
    assert len(column.remarks) == 29 and column.written == 2
    assert [r.municipality.name for r in column.remarks][:2] == ["Albertslund", "Allerød"]
