"""The catalogue: the seed transcribed word for word, clear errors that change nothing, new editions
that keep every status. Tested through the domain functions and through `fremdrift catalogue`."""

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import col, select
from typer.testing import CliRunner, Result

from app.cli import DEFAULT_CATALOGUE
from app.cli import app as cli_app
from app.config import get_settings
from app.db import Database
from app.domain.accounts import actor_of
from app.domain.catalogue import LoadSummary, load_catalogue
from app.domain.catalogue_file import CatalogueInvalid, parse_catalogue_file, parse_catalogue_text
from app.domain.reports.commands import EntryInput, save_entry
from app.domain.vocabulary import Role
from app.models import Catalogue, FocusArea, Guideline, Recommendation, RecommendationReplacement
from tests.dump import dump_database
from tests.factories import ALLEROED, CATALOGUE, NOW, entry, make_round, make_user, start

FIXTURES = Path(__file__).parent / "fixtures"
CATALOGUES = FIXTURES / "catalogues"
SEED_DOCUMENT = FIXTURES / "seed_004_allerod_kkr_hovedstaden.txt"
STATUS_TABLES = ("reporting_round", "status_report", "status_entry", "status_change", "report_event")

Run = Callable[..., Result]


# ---------------------------------------------------------------------------- helpers


def status_rows(db: Database) -> dict[str, list[tuple[Any, ...]]]:
    dump = dump_database(db)
    return {name: dump[name] for name in STATUS_TABLES}


@pytest.fixture
def fremdrift(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Run]:
    """The installed command line, pointed at the test database."""
    monkeypatch.setenv("DATABASE_URL", database_url)
    get_settings.cache_clear()
    runner = CliRunner()

    def run(*args: str | Path) -> Result:
        return runner.invoke(cli_app, [str(arg) for arg in args])

    yield run
    get_settings.cache_clear()


def give_statuses(db: Database) -> int:
    """Allerød starts its 2025 report (a row per recommendation) and colours two rows."""
    make_round(db)
    editor = make_user(db, Role.EDITOR)
    report = start(db, editor, ALLEROED)
    assert report.id is not None
    for key, colour in (("hov15-v1", "green"), ("hov15-o2", "yellow")):
        row = entry(db, report.id, key)
        assert row.id is not None
        with db.write() as session:
            save_entry(
                session,
                actor_of(editor),
                row.id,
                EntryInput(colour=colour, remark="Fiktiv bemærkning.", opted_out=False, opt_out_reason="", version=1),
                now=NOW,
            )
    return report.id


def seed_yaml() -> str:
    return DEFAULT_CATALOGUE.read_text(encoding="utf-8")


def line_of(source: str, fragment: str) -> int:
    """The 1-based line on which ``fragment`` first occurs in ``source``."""
    return source[: source.index(fragment)].count("\n") + 1


def recommendation_block(source: str, key: str) -> str:
    """The lines of one recommendation in a catalogue file, from its "- id:" to the next blank line."""
    found = re.search(rf"  - id: {re.escape(key)}\n(?:    .*\n)*\n", source)
    assert found, key
    return found.group(0)


def load_file(db: Database, path: Path) -> LoadSummary:
    with db.write() as session:
        return load_catalogue(session, parse_catalogue_file(path), now=NOW)


# ---------------------------------------------------------------------------- the seed catalogue


def test_seed_catalogue_validates_with_the_cli(fremdrift: Run) -> None:
    result = fremdrift("catalogue", "validate", DEFAULT_CATALOGUE)
    assert result.exit_code == 0, result.output
    assert "gyldig (filen og databasen kontrolleret)" in result.stdout
    assert "kkr-hovedstaden-2015: 6 pejlemærker, 4 fokusområder, 16 anbefalinger." in result.stdout


def test_seed_catalogue_gives_6_guidelines_4_focus_areas_and_16_recommendations_in_schema_order(
    db: Database,
) -> None:
    with db.read() as session:
        catalogue = session.exec(select(Catalogue).where(Catalogue.key == CATALOGUE)).one()
        guidelines = session.exec(
            select(Guideline).where(Guideline.catalogue_id == catalogue.id).order_by(col(Guideline.position))
        ).all()
        areas = session.exec(
            select(FocusArea).where(FocusArea.catalogue_id == catalogue.id).order_by(col(FocusArea.position))
        ).all()
        recommendations = session.exec(
            select(Recommendation)
            .where(Recommendation.catalogue_id == catalogue.id)
            .order_by(col(Recommendation.position))
        ).all()

    assert catalogue.adopted_on == date(2015, 2, 23)
    assert (catalogue.colour_green, catalogue.colour_yellow, catalogue.colour_red) == (
        "Igangsat/gennemført som anbefalet",
        "Delvist igangsat",
        "Ikke igangsat",
    )
    assert [g.title for g in guidelines] == [
        "Beskæftigelsespolitikken som drivkraft for vækst",
        "Understøtte et velfungerende arbejdsmarked",
        "Understøtte at flere unge kommer i uddannelse og job",
        "Skabe gode betingelser for opkvalificering af den ledige arbejdskraft",
        "Understøtte en effektiv indsats, der virker",
        "Sikre samarbejde på tværs af kommuner",
    ]
    assert [a.title for a in areas] == [
        "Virksomhedsrettede indsatser",
        "Borgerrettede indsatser",
        "Opkvalificering af medarbejdere",
        "Dokumentation af effekt af indsats",
    ]
    area_title = {a.id: a.title for a in areas}
    # The Fremdriftsskema: per focus area, first the SKAL rows, then the KAN rows.
    assert [(area_title[r.focus_area_id], r.kind, r.key) for r in recommendations] == [
        ("Virksomhedsrettede indsatser", "skal", "hov15-v1"),
        ("Virksomhedsrettede indsatser", "skal", "hov15-v2"),
        ("Virksomhedsrettede indsatser", "skal", "hov15-v3"),
        ("Virksomhedsrettede indsatser", "kan", "hov15-v4"),
        ("Borgerrettede indsatser", "skal", "hov15-b1"),
        ("Borgerrettede indsatser", "skal", "hov15-b2"),
        ("Borgerrettede indsatser", "kan", "hov15-b3"),
        ("Borgerrettede indsatser", "kan", "hov15-b4"),
        ("Borgerrettede indsatser", "kan", "hov15-b5"),
        ("Opkvalificering af medarbejdere", "skal", "hov15-o1"),
        ("Opkvalificering af medarbejdere", "skal", "hov15-o2"),
        ("Opkvalificering af medarbejdere", "kan", "hov15-o3"),
        ("Opkvalificering af medarbejdere", "kan", "hov15-o4"),
        ("Dokumentation af effekt af indsats", "skal", "hov15-d1"),
        ("Dokumentation af effekt af indsats", "kan", "hov15-d2"),
        ("Dokumentation af effekt af indsats", "kan", "hov15-d3"),
    ]
    assert sum(r.kind == "skal" for r in recommendations) == 8
    assert sum(r.kind == "kan" for r in recommendations) == 8
    assert {(r.first_year, r.last_year) for r in recommendations} == {(2015, None)}


def _normalise(value: str) -> str:
    return " ".join(value.split())


# The seed is a text extraction of PDFs. In the KKR annex, the first guideline's text is hyphenated
# across the end of page 1 ("op-" / "kvalificering"), with the page's letterhead (date, case number,
# address, "Side 1/12") extracted in between. That is page layout, not the customer's wording, so the
# test joins the word again, and only at that one known place; every other text is compared as is.
_PAGE_BREAK = re.compile(r"op-\n\nDen 9\. marts 2015\n.*?Side 1/12\n\nkvalificering", re.DOTALL)


def _seed_document() -> str:
    raw = SEED_DOCUMENT.read_text(encoding="utf-8")
    joined, count = _PAGE_BREAK.subn("opkvalificering", raw)
    assert count == 1, "the known page break in the annex was not found"
    return joined


def _fremdriftsskema_rows(document: str) -> list[tuple[str, str, str]]:
    """The rows of the customer's "Fremdriftsskema for anbefalinger": (focus area, skal/kan, text)."""
    table = document[document.index("Fremdriftsskema for anbefalinger") :]
    table = table[: table.index("\nKKR\n")]
    rows: list[tuple[str, str, str]] = []
    area = kind = ""
    for line in table.splitlines()[1:]:
        cell = re.sub(r"</?i>", "", line).split("\t")[0].strip()
        if "\tGrøn/gul/rød\tBemærkninger" in line:
            area = cell
        elif cell.startswith(("SKAL-initiativer", "KAN-initiativer")):
            kind = cell.split("-")[0].lower()
        elif cell:
            rows.append((area, kind, cell))
    return rows


def test_seed_catalogue_texts_are_the_customers_word_for_word() -> None:
    spec = parse_catalogue_file(DEFAULT_CATALOGUE).spec
    document = _seed_document()
    flat = _normalise(document)

    # Recommendations: the Fremdriftsskema is the reference, row by row and in its order.
    area_title = {area.id: area.title for area in spec.focus_areas}
    assert [(area_title[r.focus_area], r.kind.value, _normalise(r.text)) for r in spec.recommendations] == [
        (area, kind, _normalise(row)) for area, kind, row in _fremdriftsskema_rows(document)
    ]
    # Guidelines and focus areas: titles and texts occur in the annex, in the annex's order.
    for items, body in ((spec.guidelines, "text"), (spec.focus_areas, "intro")):
        positions = []
        for item in items:
            assert _normalise(item.title) in flat, item.title
            assert _normalise(getattr(item, body)) in flat, item.id
            positions.append(flat.index(_normalise(getattr(item, body))))
        assert positions == sorted(positions)
    assert "KKR Hovedstaden drøftede og godkendte på mødet den 23. februar" in flat
    assert spec.adopted == date(2015, 2, 23)


# ---------------------------------------------------------------------------- broken catalogues


@dataclass(frozen=True)
class Broken:
    file: str
    # Every problem the user is told about: (line, field, part of the message).
    problems: tuple[tuple[int, str, str], ...]
    # "parse": the file alone is wrong; "load": the file is fine but does not fit the database.
    found_by: str = "parse"


BROKEN = [
    Broken("bad_yaml_syntax.yaml", ((26, "(yaml)", "ugyldig YAML: mapping values are not allowed here"),)),
    Broken(
        "duplicate_id.yaml",
        (
            (22, "recommendations[0].id", "id 'nj25-v1' bruges mere end én gang"),
            (27, "recommendations[1].id", "id 'nj25-v1' bruges mere end én gang"),
        ),
    ),
    Broken(
        "unknown_focus_area.yaml",
        ((28, "recommendations[1].focus_area", "ukendt fokusområde 'borger'; kendte: borgere, virksomheder"),),
    ),
    Broken("unknown_kind.yaml", ((29, "recommendations[1].kind", "skal være en af: skal, bør, kan (fik 'maa')"),)),
    Broken("missing_text.yaml", ((27, "recommendations[1].text", "mangler"),)),
    Broken(
        "replaces_unknown.yaml",
        ((32, "recommendations[1].replaces[0]", "erstatter ukendt anbefaling 'nj24-b9'"),),
        found_by="load",
    ),
    Broken(
        "root_is_list.yaml",
        ((2, "(rod)", "filen skal være en mapping (nøgle: værdi), ikke en liste eller en tekst"),),
    ),
    Broken("empty.yaml", ((1, "(fil)", "filen er tom"),)),
    Broken("unknown_field.yaml", ((31, "recommendations[1].last_yaer", "ukendt felt (stavefejl?)"),)),
    Broken("duplicate_key.yaml", ((32, "recommendations[1].text", "står mere end én gang"),)),
    Broken(
        "not_utf8.yaml",
        ((10, "guidelines[0].title", "filen er ikke gemt som UTF-8 (byte 0xe5 på denne linje)"),),
    ),
    Broken("unknown_kkr.yaml", ((4, "kkr", "ukendt KKR 'KKR Nordjyland'; kendte: KKR Hovedstaden, "),), "load"),
    Broken(
        "reuses_id_of_another_catalogue.yaml",
        (
            (
                22,
                "recommendations[0].id",
                "id 'hov15-v1' bruges allerede i kataloget 'kkr-hovedstaden-2015'; "
                "et id skal være unikt på tværs af kataloger",
            ),
        ),
        found_by="load",
    ),
]


def _expected_lines(case: Broken, path: Path) -> list[str]:
    return [f"{path}:{line}: {field}: {message}" for line, field, message in case.problems]


def _assert_problems(error: CatalogueInvalid, case: Broken, path: Path) -> None:
    problems = [str(problem) for problem in error.problems]
    assert len(problems) == len(case.problems), problems
    for problem, expected in zip(problems, _expected_lines(case, path), strict=True):
        assert problem.startswith(expected), problem


def _case_id(case: Broken) -> str:
    return case.file.removesuffix(".yaml")


@pytest.mark.parametrize("case", [c for c in BROKEN if c.found_by == "parse"], ids=_case_id)
def test_broken_catalogue_file_is_refused_naming_file_line_and_field(case: Broken) -> None:
    path = CATALOGUES / case.file
    with pytest.raises(CatalogueInvalid) as raised:
        parse_catalogue_file(path)
    _assert_problems(raised.value, case, path)


@pytest.mark.parametrize("case", [c for c in BROKEN if c.found_by == "load"], ids=_case_id)
def test_catalogue_that_does_not_fit_the_database_is_refused_and_changes_nothing(case: Broken, db: Database) -> None:
    path = CATALOGUES / case.file
    parsed = parse_catalogue_file(path)  # the file on its own is fine
    before = dump_database(db)
    with pytest.raises(CatalogueInvalid) as raised, db.write() as session:
        load_catalogue(session, parsed, now=NOW)
    _assert_problems(raised.value, case, path)
    assert dump_database(db) == before


@pytest.mark.parametrize("case", BROKEN, ids=_case_id)
def test_cli_refuses_broken_catalogue_with_exit_code_1_and_changes_nothing(
    case: Broken, fremdrift: Run, db: Database
) -> None:
    path = CATALOGUES / case.file
    before = dump_database(db)
    for command in ("validate", "load"):
        result = fremdrift("catalogue", command, path)
        assert result.exit_code == 1, result.output
        assert result.stderr.startswith(f"Kataloget er ugyldigt ({len(case.problems)} fejl):\n")
        for expected in _expected_lines(case, path):
            assert f"\n  {expected}" in result.stderr, result.stderr
        assert result.stdout == ""
        assert dump_database(db) == before


def test_cli_names_a_missing_file() -> None:
    result = CliRunner().invoke(cli_app, ["catalogue", "validate", str(CATALOGUES / "findes-ikke.yaml")])
    assert result.exit_code == 1
    assert f"{CATALOGUES / 'findes-ikke.yaml'}:1: (fil): kan ikke læses: No such file or directory" in result.stderr


def test_recommendation_with_statuses_cannot_be_left_out_of_the_file(
    fremdrift: Run, db: Database, tmp_path: Path
) -> None:
    give_statuses(db)
    source = seed_yaml().replace(recommendation_block(seed_yaml(), "hov15-v4"), "")
    path = tmp_path / "recommendations.yaml"
    path.write_text(source, encoding="utf-8")
    before = dump_database(db)

    result = fremdrift("catalogue", "load", path)

    assert result.exit_code == 1, result.output
    assert (
        f"  {path}:{line_of(source, 'recommendations:')}: recommendations: anbefalingen 'hov15-v4' mangler i "
        "filen, men har statusser; den kan ikke fjernes (sæt last_year i stedet)\n"
    ) in result.stderr
    assert result.stderr.startswith("Kataloget er ugyldigt (1 fejl):")
    assert dump_database(db) == before


def test_recommendation_without_statuses_can_be_left_out_of_the_file(db: Database, tmp_path: Path) -> None:
    path = tmp_path / "recommendations.yaml"
    path.write_text(seed_yaml().replace(recommendation_block(seed_yaml(), "hov15-v4"), ""), encoding="utf-8")

    summary = load_file(db, path)

    assert summary.removed == ["anbefaling hov15-v4"]
    with db.read() as session:
        keys = session.exec(select(Recommendation.key).order_by(col(Recommendation.position))).all()
    assert len(keys) == 15 and "hov15-v4" not in keys


def test_recommendation_that_a_new_edition_replaces_cannot_be_left_out_of_the_file(
    fremdrift: Run, db: Database, tmp_path: Path
) -> None:
    # Regression: this crashed with a foreign-key IntegrityError instead of a clear message.
    assert fremdrift("catalogue", "load", CATALOGUES / "new_edition_2017.yaml").exit_code == 0
    source = seed_yaml().replace(recommendation_block(seed_yaml(), "hov15-v1"), "")
    path = tmp_path / "recommendations.yaml"
    path.write_text(source, encoding="utf-8")
    before = dump_database(db)

    result = fremdrift("catalogue", "load", path)

    assert result.exit_code == 1, result.output
    assert result.stderr == (
        "Kataloget er ugyldigt (1 fejl):\n"
        f"  {path}:{line_of(source, 'recommendations:')}: recommendations: anbefalingen 'hov15-v1' mangler i "
        "filen, men erstattes af 'hov17-v1' i kataloget 'kkr-hovedstaden-2017'; den kan ikke fjernes "
        "(sæt last_year i stedet)\n"
    )
    assert dump_database(db) == before


def test_recommendation_cannot_replace_one_that_the_same_file_leaves_out(db: Database) -> None:
    # Regression: this crashed with a foreign-key IntegrityError instead of a clear message.
    small = (CATALOGUES / "small_valid.yaml").read_text(encoding="utf-8")
    with db.write() as session:
        load_catalogue(session, parse_catalogue_text(small.encode(), "katalog.yaml"), now=NOW)
    revised = small.replace("  - id: nj25-b1\n", "  - id: nj26-b1\n").replace(
        "    first_year: 2025\n    text: Særlige", "    first_year: 2026\n    replaces: [nj25-b1]\n    text: Særlige"
    )
    before = dump_database(db)

    with pytest.raises(CatalogueInvalid) as raised, db.write() as session:
        load_catalogue(session, parse_catalogue_text(revised.encode(), "katalog.yaml"), now=NOW)

    assert [str(problem) for problem in raised.value.problems] == [
        f"katalog.yaml:{line_of(revised, 'replaces:')}: recommendations[1].replaces[0]: "
        "erstatter 'nj25-b1', som mangler i filen; lad den stå (sæt last_year)"
    ]
    assert dump_database(db) == before


# ---------------------------------------------------------------------------- loading again


def test_loading_the_same_file_twice_changes_nothing(fremdrift: Run, db: Database) -> None:
    before = dump_database(db)  # the seed catalogue is loaded once already
    result = fremdrift("catalogue", "load", DEFAULT_CATALOGUE)
    assert result.exit_code == 0, result.output
    assert result.stdout == "kkr-hovedstaden-2015: uændret.\n"
    assert dump_database(db) == before


def test_a_new_catalogue_loads_once_and_then_is_unchanged(fremdrift: Run, db: Database) -> None:
    first = fremdrift("catalogue", "load", CATALOGUES / "small_valid.yaml")
    assert first.exit_code == 0, first.output
    # 1 catalogue, 1 guideline, 2 focus areas, 2 recommendations
    assert first.stdout == "test-nordjylland-2025: 6 oprettet, 0 opdateret, 0 fjernet.\n"
    after_first = dump_database(db)
    second = fremdrift("catalogue", "load", CATALOGUES / "small_valid.yaml")
    assert second.stdout == "test-nordjylland-2025: uændret.\n"
    assert dump_database(db) == after_first


def test_a_file_that_differs_only_in_comments_is_unchanged_and_writes_nothing(db: Database) -> None:
    before = dump_database(db)
    with db.write() as session:
        source = "# Gemt igen af sekretariatet; kun denne kommentar er ny.\n" + seed_yaml()
        summary = load_catalogue(session, parse_catalogue_text(source.encode(), "recommendations.yaml"), now=NOW)
    assert not summary.changed
    assert dump_database(db) == before


def test_editing_a_text_updates_that_recommendation_in_place(db: Database, tmp_path: Path) -> None:
    report_id = give_statuses(db)
    with db.read() as session:
        old = session.exec(select(Recommendation).where(Recommendation.key == "hov15-v1")).one()
    statuses = status_rows(db)
    path = tmp_path / "recommendations.yaml"
    path.write_text(
        seed_yaml().replace("så kommunen kan\n      imødekomme", "så kommunen hurtigt kan\n      imødekomme"),
        encoding="utf-8",
    )

    summary = load_file(db, path)

    assert (summary.created, summary.updated, summary.removed) == ([], ["anbefaling hov15-v1"], [])
    with db.read() as session:
        new = session.exec(select(Recommendation).where(Recommendation.key == "hov15-v1")).one()
    assert new.id == old.id
    assert new.text.startswith(
        "Alle kommuner skal være en del af et formaliseret virksomhedsberedskab, så kommunen hurtigt"
    )
    assert entry(db, report_id, "hov15-v1").colour == "green"
    assert status_rows(db) == statuses


# ---------------------------------------------------------------------------- a new edition


def _replacement_links(db: Database) -> set[tuple[str, str]]:
    with db.read() as session:
        keys = dict(session.exec(select(Recommendation.id, Recommendation.key)).all())
        links = session.exec(select(RecommendationReplacement)).all()
    return {(keys[link.replaced_id], keys[link.replacement_id]) for link in links}


def test_new_edition_links_what_it_replaces_and_keeps_every_status(
    fremdrift: Run, db: Database, tmp_path: Path
) -> None:
    give_statuses(db)
    statuses = status_rows(db)
    assert len(statuses["status_entry"]) == 16

    result = fremdrift("catalogue", "load", CATALOGUES / "new_edition_2017.yaml")

    assert result.exit_code == 0, result.output
    # 1 catalogue, 1 guideline, 3 focus areas, 5 recommendations and 5 replacement links
    assert result.stdout == "kkr-hovedstaden-2017: 15 oprettet, 0 opdateret, 0 fjernet.\n"
    assert _replacement_links(db) == {
        ("hov15-v1", "hov17-v1"),  # one-to-one
        ("hov15-b1", "hov17-b1a"),  # a split ...
        ("hov15-b1", "hov17-b1b"),
        ("hov15-o1", "hov17-o1"),  # ... and a merge
        ("hov15-o2", "hov17-o1"),
    }
    with db.read() as session:
        editions = session.exec(select(Catalogue.key, Catalogue.colour_green).order_by(Catalogue.key)).all()
    # Side by side; the new edition has no colours of its own, so it gets the defaults.
    assert editions == [
        ("kkr-hovedstaden-2015", "Igangsat/gennemført som anbefalet"),
        ("kkr-hovedstaden-2017", "Igangsat/gennemført som anbefalet"),
    ]
    assert status_rows(db) == statuses

    # The first edition, loaded again as it was: nothing changes.
    again = fremdrift("catalogue", "load", DEFAULT_CATALOGUE)
    assert again.stdout == "kkr-hovedstaden-2015: uændret.\n"
    assert status_rows(db) == statuses

    # ... and with the replaced recommendations retired after 2016: updated, statuses kept.
    retired = seed_yaml()
    for key in ("hov15-v1", "hov15-b1", "hov15-o1", "hov15-o2"):
        block = recommendation_block(retired, key)
        retired = retired.replace(
            block, block.replace("    first_year: 2015\n", "    first_year: 2015\n    last_year: 2016\n")
        )
    path = tmp_path / "recommendations.yaml"
    path.write_text(retired, encoding="utf-8")
    loaded = fremdrift("catalogue", "load", path)
    assert loaded.stdout == "kkr-hovedstaden-2015: 0 oprettet, 4 opdateret, 0 fjernet.\n", loaded.output
    assert status_rows(db) == statuses
    assert len(_replacement_links(db)) == 5
    with db.read() as session:
        last_years = dict(session.exec(select(Recommendation.key, Recommendation.last_year)).all())
    assert {key for key, year in last_years.items() if year == 2016} == {"hov15-v1", "hov15-b1", "hov15-o1", "hov15-o2"}


def test_new_edition_parses_on_its_own_but_needs_the_first_edition_in_the_database() -> None:
    parsed = parse_catalogue_file(CATALOGUES / "new_edition_2017.yaml")
    assert [rec.replaces for rec in parsed.spec.recommendations] == [
        ["hov15-v1"],
        [],
        ["hov15-b1"],
        ["hov15-b1"],
        ["hov15-o1", "hov15-o2"],
    ]
