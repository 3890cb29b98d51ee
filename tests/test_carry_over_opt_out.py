"""Starting from last year keeps a fravalgt row's reason, so the row can be confirmed as it is
(found when the demo's 2025 held a fravalgt row for Allerød: confirming it was refused)."""

from app.db import Database
from app.domain.accounts import actor_of
from app.domain.reports.commands import EntryInput, save_entry
from app.domain.vocabulary import ReportState, Role
from tests.factories import ALLEROED, CATALOGUE, NOW, entry, make_round, start
from tests.rollup_data import ReportPlan, RowPlan, make_closed_round, write_plan
from tests.scenarios import quick_user


def test_a_carried_over_fravalgt_row_keeps_its_reason_and_can_be_confirmed(db: Database) -> None:
    last_year = make_closed_round(db, 2024, CATALOGUE)
    plan = ReportPlan(ReportState.SUBMITTED, {"hov15-o4": RowPlan(None, opted_out=True)})
    write_plan(db, last_year, CATALOGUE, {ALLEROED: plan})
    make_round(db, 2025)
    editor = quick_user(db, Role.EDITOR, municipality_code=ALLEROED)
    report = start(db, editor, ALLEROED, 2025, carry_over=True)
    assert report.id is not None

    carried = entry(db, report.id, "hov15-o4")
    assert (carried.opted_out, carried.opt_out_reason, carried.confirmed) == (True, "Ikke relevant.", False)
    assert carried.id is not None
    with db.write() as session:
        data = EntryInput(None, carried.remark, True, carried.opt_out_reason, carried.version)
        saved = save_entry(session, actor_of(editor), carried.id, data, now=NOW)
    assert saved.found.entry.confirmed
