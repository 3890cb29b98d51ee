"""The report rules and the text rules as plain functions, table by table: no database, no HTTP.

The same rules are tested over HTTP in test_report_rules.py (the rounds' in test_rounds.py); here
each case is one line, so a reader can check the rule against SPEC section 3.3 at a glance.
"""

from datetime import UTC, date, datetime

import pytest

from app.domain.errors import InvalidInput
from app.domain.reports.rules import (
    committee_refused,
    missing_for_submit,
    progress_of,
    reopen_refused,
    rows_locked,
    start_refused,
    state_of,
)
from app.domain.rounds.lifecycle import first_year_without_round
from app.domain.text import clean_text, danish_sort_key, looks_like_cpr
from app.domain.vocabulary import Colour, Kind, ReportState, RoundState
from app.models import Recommendation, ReportingRound, StatusEntry, StatusReport

NOW = datetime(2026, 1, 20, tzinfo=UTC)


def rec(kind: Kind, key: str = "r1") -> Recommendation:
    return Recommendation(
        key=key, kind=kind, text=f"Anbefaling {key}", catalogue_id=1, focus_area_id=1, position=1, first_year=2015
    )


def entry(
    colour: Colour | None = None, remark: str = "", *, opted_out: bool = False, confirmed: bool = True
) -> StatusEntry:
    return StatusEntry(
        report_id=1, recommendation_id=1, colour=colour, remark=remark, opted_out=opted_out, confirmed=confirmed
    )


def round_in(state: RoundState) -> ReportingRound:
    return ReportingRound(
        kkr_id=1,
        catalogue_id=1,
        year=2025,
        opens_on=date(2026, 1, 2),
        deadline=date(2026, 2, 28),
        state=state,
        created_at=NOW,
    )


def report_in(state: ReportState) -> StatusReport:
    return StatusReport(round_id=1, municipality_code=201, state=state, started_at=NOW)


@pytest.mark.parametrize(
    ("kind", "row", "messages"),
    [
        (Kind.SKAL, None, ["SKAL-anbefalingen mangler en farve."]),
        (Kind.SKAL, entry(), ["SKAL-anbefalingen mangler en farve."]),
        (Kind.SKAL, entry(Colour.GREEN), []),
        (Kind.SKAL, entry(Colour.YELLOW), ["Gul kræver en bemærkning."]),
        (Kind.SKAL, entry(Colour.RED, "Afventer aftale."), []),
        (Kind.KAN, entry(), []),  # a kan row may stay empty
        (Kind.KAN, entry(Colour.RED), ["Rød kræver en bemærkning."]),
        (Kind.KAN, entry(opted_out=True), []),
        (Kind.SKAL, entry(Colour.GREEN, confirmed=False), ["Overført fra sidste år: bekræft eller ret rækken."]),
        (
            Kind.SKAL,
            entry(Colour.YELLOW, confirmed=False),
            ["Gul kræver en bemærkning.", "Overført fra sidste år: bekræft eller ret rækken."],
        ),
    ],
)
def test_what_submit_requires_of_one_row(kind: Kind, row: StatusEntry | None, messages: list[str]) -> None:
    assert [m.message for m in missing_for_submit([(rec(kind), row)])] == messages


def test_progress_counts_filled_and_unconfirmed_rows() -> None:
    rows = [
        (rec(Kind.SKAL, "a"), entry(Colour.GREEN)),
        (rec(Kind.KAN, "b"), entry(opted_out=True)),
        (rec(Kind.KAN, "c"), entry(Colour.YELLOW, "x", confirmed=False)),
        (rec(Kind.KAN, "d"), entry()),
    ]
    progress = progress_of(rows)
    assert (progress.total, progress.filled, progress.unconfirmed) == (4, 3, 1)
    assert [m.recommendation_key for m in progress.missing] == ["c"]


@pytest.mark.parametrize(
    ("round_state", "report_state", "locked", "start", "reopen", "committee"),
    [
        # round    report                   rows locked  start   reopen  committee
        (RoundState.PLANNED, None, True, False, False, False),
        (RoundState.OPEN, None, False, True, False, False),
        (RoundState.OPEN, ReportState.IN_PROGRESS, False, False, False, True),
        (RoundState.OPEN, ReportState.SUBMITTED, True, False, True, True),
        (RoundState.CLOSED, ReportState.SUBMITTED, True, False, False, True),
        (RoundState.PUBLISHED, ReportState.SUBMITTED, True, False, False, False),
    ],
)
def test_what_each_state_allows(
    round_state: RoundState,
    report_state: ReportState | None,
    locked: bool,
    start: bool,
    reopen: bool,
    committee: bool,
) -> None:
    reporting_round = round_in(round_state)
    report = report_in(report_state) if report_state else None
    assert (rows_locked(reporting_round, report) is not None) is locked
    assert (start_refused(reporting_round, report) is None) is start
    assert (reopen_refused(reporting_round, report) is None) is reopen
    assert (committee_refused(reporting_round, report) is None) is committee


def test_a_report_without_a_row_is_not_started() -> None:
    assert state_of(None) is ReportState.NOT_STARTED
    assert state_of(report_in(ReportState.SUBMITTED)) is ReportState.SUBMITTED
    assert ReportState.NOT_STARTED.label == "Ikke startet"


# ---------------------------------------------------------------------------- text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Borger 010203-1234 deltog", True),
        ("0102031234", True),
        ("Sag 3112991234", True),
        ("Sag 3213991234 (ingen dato)", False),  # day 32
        ("Tlf. 12 34 56 78", False),
        ("Journalnr. 20260115-12345", False),  # inside a longer number
        ("Budget 2.000.000 kr.", False),
    ],
)
def test_what_looks_like_a_cpr_number(text: str, expected: bool) -> None:
    assert looks_like_cpr(text) is expected


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("  Tekst  ", "Tekst"),
        ("linje 1\r\nlinje 2\rlinje 3", "linje 1\nlinje 2\nlinje 3"),
        ("klokke\x07 og \x00nul", "klokke og nul"),
        ("<b>fed</b> & tegn", "<b>fed</b> & tegn"),  # plain text: kept as typed, escaped on output
    ],
)
def test_clean_text_keeps_what_the_user_meant(raw: str, clean: str) -> None:
    assert clean_text(raw, field="remark", label="Bemærkningen", max_length=2000) == clean


def test_clean_text_refuses_too_long_text_with_danish_numbers() -> None:
    with pytest.raises(InvalidInput, match=r"må højst være 2\.000 tegn; den er 2\.001\.") as refused:
        clean_text("x" * 2001, field="remark", label="Bemærkningen", max_length=2000)
    assert refused.value.field == "remark"


def test_danish_sort_puts_aa_and_the_danish_letters_last() -> None:
    names = ["Aarhus", "Ærø", "Odense", "Aabenraa", "Ålborg", "Ballerup", "Øster", "Albertslund", "Zealand"]
    assert sorted(names, key=danish_sort_key) == [
        "Albertslund",
        "Ballerup",
        "Odense",
        "Zealand",
        "Ærø",
        "Øster",
        "Aabenraa",
        "Ålborg",
        "Aarhus",  # Aa is Å: Aabenraa, Ålborg, Aarhus, as the letters after it say
    ]


@pytest.mark.parametrize(
    ("taken", "this_year", "proposed"),
    [
        ((), 2026, 2026),  # no rounds yet: this year
        ((2022, 2023, 2024, 2025), 2026, 2026),  # only earlier years: this year
        ((2025, 2026), 2026, 2027),  # this year taken: the next
        ((2026, 2027, 2029), 2026, 2028),  # the first gap, not the year after the last
        ((2030,), 2026, 2026),  # a round planned far ahead does not hide this year
    ],
)
def test_a_new_round_proposes_the_first_year_from_this_year_on_without_one(
    taken: tuple[int, ...], this_year: int, proposed: int
) -> None:
    assert first_year_without_round(taken, this_year) == proposed
