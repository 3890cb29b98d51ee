"""CSV and Excel exports of a round and of a report, as each role may read them; the API and CLI."""

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner, Result

from app.api.errors import ApiError
from app.cli import app as cli_app
from app.config import get_settings
from app.domain.accounts import actor_of
from app.domain.reports.commands import EntryInput, save_entry
from app.domain.text import danish_sort_key
from app.models import Kkr
from app.security.csrf import CSRF_HEADER
from app.spreadsheets.cells import csv_text
from tests.factories import ALLEROED, NOW
from tests.scenarios import FREDERIKSBERG, YEAR, World
from tests.spreadsheet_helpers import as_bytes, download, fill, filled_for_allerod

HEADINGS = (
    "Kommunekode;Kommune;Rapportens status;Anbefaling-id;Anbefaling;Type;Fokusområde;Farve;Fravalgt;"
    "Begrundelse for fravalg;Bemærkning;Bekræftet;Ændret af;Ændret"
)


def _kkr_id(world: World) -> int:
    with world.db.read() as session:
        kkr = session.get(Kkr, world.round.kkr_id)
        assert kkr is not None and kkr.id is not None
        return kkr.id


def _round_csv(world: World, who: str, name: str = "status.csv") -> tuple[bytes, list[list[str]]]:
    response = world.browser(getattr(world, who)).client.get(f"/eksport/kkr/{_kkr_id(world)}/{YEAR}/{name}")
    assert response.status_code == 200, response.text[:300]
    assert "attachment" in response.headers["content-disposition"]
    text = response.content.decode("utf-8-sig")
    return response.content, list(csv.reader(io.StringIO(text), delimiter=";" if name == "status.csv" else ","))


def _municipalities(rows: list[list[str]]) -> set[str]:
    return {row[1] for row in rows[1:]}


def test_the_coordinator_exports_every_municipality_of_the_round_for_danish_excel(world: World) -> None:
    content, rows = _round_csv(world, "coordinator")
    assert content.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM: Danish Excel reads æøå right
    assert content.decode("utf-8-sig").splitlines()[0] == HEADINGS
    assert len(rows) == 1 + 29 * 16  # every municipality of KKR Hovedstaden, every recommendation
    alleroed = [row for row in rows if row[0] == str(ALLEROED)]
    v1 = next(row for row in alleroed if row[3] == "hov15-v1")
    assert v1[1:3] == ["Allerød", "I gang"]
    assert v1[5:9] == ["SKAL", v1[6], "Grøn", "nej"]
    assert v1[10:13] == ["Som anbefalet.", "ja", "Jette Jobcenterchef"]
    assert v1[13] == "2026-01-20 10:30"  # Copenhagen time
    not_started = next(row for row in rows if row[1] == "København")
    assert not_started[2] == "Ikke startet" and not_started[7] == ""
    names = list(dict.fromkeys(row[1] for row in rows[1:]))
    assert names == sorted(names, key=danish_sort_key)
    assert names[:2] == ["Albertslund", "Allerød"]


def test_a_reader_gets_submitted_reports_only(world: World) -> None:
    _content, rows = _round_csv(world, "reader")
    assert _municipalities(rows) == {"Frederiksberg"}


def test_an_editor_gets_their_own_report_and_the_submitted_ones(world: World) -> None:
    _content, rows = _round_csv(world, "other_editor")
    assert _municipalities(rows) == {"Albertslund", "Frederiksberg"}  # their own, not started yet
    _content, rows = _round_csv(world, "editor")
    assert _municipalities(rows) == {"Allerød", "Frederiksberg"}


def test_another_kkrs_coordinator_gets_nothing_of_this_round(world: World) -> None:
    _content, rows = _round_csv(world, "far_coordinator")
    assert rows == [HEADINGS.split(";")]


def test_the_comma_variant_has_no_bom(world: World) -> None:
    content, rows = _round_csv(world, "coordinator", "status-komma.csv")
    assert not content.startswith(b"\xef\xbb\xbf")
    assert rows[0][:3] == ["Kommunekode", "Kommune", "Rapportens status"]


def _remark_v1(world: World, remark: str) -> None:
    entry = world.entry("hov15-v1")
    with world.db.write() as session:
        data = EntryInput("yellow", remark, False, "", entry.version)
        save_entry(session, actor_of(world.editor), entry.id or 0, data, now=NOW)


@pytest.mark.parametrize("start", ["=", "+", "-", "@"])
def test_text_a_spreadsheet_would_run_is_exported_as_text(world: World, start: str) -> None:
    remark = f'{start}HYPERLINK("https://evil.example";"klik")'
    _remark_v1(world, remark)
    browser = world.browser(world.editor)
    text = browser.client.get(f"/eksport/kommuner/{ALLEROED}/{YEAR}/status.csv").content.decode("utf-8-sig")
    row = next(r for r in csv.reader(io.StringIO(text), delimiter=";") if r[3] == "hov15-v1")
    assert row[10] == "'" + remark
    xlsx = browser.client.get(f"/eksport/kommuner/{ALLEROED}/{YEAR}/status.xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content))["Status"]
    cell = next(c for c in sheet["K"] if c.value and "HYPERLINK" in str(c.value))
    assert cell.data_type == "s"
    assert cell.value == remark


def test_tabs_and_carriage_returns_are_guarded_too() -> None:
    # The form trims them off a remark, but names and texts from elsewhere pass the same guard.
    assert csv_text("\tSUM(A1)") == "'\tSUM(A1)"
    assert csv_text("\rSUM(A1)") == "'\rSUM(A1)"
    assert csv_text("Almindelig tekst") == "Almindelig tekst"


def test_the_xlsx_export_has_danish_headings_and_colour_words(world: World) -> None:
    response = world.browser(world.coordinator).client.get(f"/eksport/kkr/{_kkr_id(world)}/{YEAR}/status.xlsx")
    assert response.headers["content-type"].startswith("application/vnd.openxmlformats")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content))["Status"]
    assert [c.value for c in sheet[1]] == HEADINGS.split(";")
    colours = {row[7] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert "Grøn" in colours
    assert sheet.freeze_panes == "A2"


def test_a_report_export_is_refused_to_who_may_not_read_it(world: World) -> None:
    browser = world.browser(world.other_editor)
    assert browser.client.get(f"/eksport/kommuner/{ALLEROED}/{YEAR}/status.csv").status_code == 404
    assert browser.client.get(f"/eksport/kommuner/{FREDERIKSBERG}/{YEAR}/status.csv").status_code == 200
    assert browser.client.get(f"/eksport/kommuner/{FREDERIKSBERG}/{YEAR}/status.pdf").status_code == 404


def test_the_pages_link_to_the_exports(world: World) -> None:
    home = world.browser(world.coordinator).client.get("/")
    assert f"/eksport/kkr/{_kkr_id(world)}/{YEAR}/status.xlsx" in home.text
    page = world.browser(world.coordinator).client.get(f"/kommuner/{ALLEROED}/{YEAR}")
    assert f"/eksport/kommuner/{ALLEROED}/{YEAR}/status.csv" in page.text
    assert "skema.xlsx" not in page.text  # the offline workbook is for the municipality's editors


# ---------------------------------------------------------------------------- API


def test_the_api_exports_and_imports(world: World) -> None:
    browser = world.browser(world.editor)
    csv_file = browser.client.get(f"/api/reports/{ALLEROED}/{YEAR}/export", params={"format": "csv-komma"})
    assert csv_file.status_code == 200
    assert csv_file.text.startswith("Kommunekode,Kommune")
    round_file = browser.client.get(f"/api/exports/kkr/{_kkr_id(world)}/{YEAR}", params={"format": "xlsx"})
    assert round_file.status_code == 200
    workbook = browser.client.get(f"/api/reports/{ALLEROED}/{YEAR}/workbook")
    assert workbook.status_code == 200

    url = f"/api/reports/{ALLEROED}/{YEAR}/import"
    headers = {CSRF_HEADER: browser.token}
    ok = browser.client.post(url, files={"workbook": ("s.xlsx", filled_for_allerod(world))}, headers=headers)
    assert ok.status_code == 200, ok.text
    assert ok.json() == {"changed": ["hov15-v1"], "unchanged": 15, "kept_online": []}

    bad = download(browser)
    fill(bad, "hov15-v2", colour="lilla")
    refused = browser.client.post(url, files={"workbook": ("s.xlsx", as_bytes(bad))}, headers=headers)
    assert refused.status_code == 422
    assert _documented_error(refused.json()) == "ImportRefused"
    problem = refused.json()["problems"][0]
    assert (problem["sheet"], problem["column"], problem["message"]) == (
        "Fremdriftsskema",
        "E",
        "Vælg grøn, gul eller rød.",
    )


def _documented_error(body: dict[str, object]) -> object:
    """The body is the API's one error shape, with no field the OpenAPI schema does not name."""
    assert set(body) <= set(ApiError.model_fields), body.keys()
    ApiError.model_validate(body)
    return body["code"]


def test_the_api_shows_a_conflict_and_takes_a_choice(world: World) -> None:
    browser = world.browser(world.editor)
    content = filled_for_allerod(world)
    _remark_v1(world, "Sat online imens.")
    url = f"/api/reports/{ALLEROED}/{YEAR}/import"
    headers = {CSRF_HEADER: browser.token}
    conflict = browser.client.post(url, files={"workbook": ("s.xlsx", content)}, headers=headers)
    assert conflict.status_code == 409
    assert _documented_error(conflict.json()) == "ImportConflicts"
    row = conflict.json()["conflicts"][0]
    assert row["mine"]["remark"] == "Indlæst fra projektmappen."
    assert row["theirs"]["remark"] == "Sat online imens."
    choices = json.dumps({str(row["entry_id"]): {"keep": "theirs", "version": row["theirs"]["version"]}})
    chosen = browser.client.post(
        url, files={"workbook": ("s.xlsx", content)}, data={"choices": choices}, headers=headers
    )
    assert chosen.status_code == 200, chosen.text
    assert chosen.json()["kept_online"] == ["hov15-v1"]


# ---------------------------------------------------------------------------- CLI


@pytest.fixture
def fremdrift(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[CliRunner]:
    monkeypatch.setenv("DATABASE_URL", database_url)
    get_settings.cache_clear()
    yield CliRunner()
    get_settings.cache_clear()


def _run(runner: CliRunner, *args: object) -> Result:
    return runner.invoke(cli_app, [str(arg) for arg in args])


def test_the_cli_exports_a_round_and_imports_a_workbook(world: World, fremdrift: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "runde.csv"
    result = _run(fremdrift, "export", out, "--year", YEAR, "--kkr", "KKR Hovedstaden", "--as", world.coordinator.email)
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(b"\xef\xbb\xbf" + b"Kommunekode;")

    skema = tmp_path / "skema.xlsx"
    result = _run(
        fremdrift, "export", skema, "--year", YEAR, "--municipality", ALLEROED, "--format", "skema", "--as",
        world.editor.email,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    workbook = openpyxl.load_workbook(skema)
    fill(workbook, "hov15-v1", colour="rød", remark="Fra kommandolinjen.")
    workbook.save(skema)
    result = _run(fremdrift, "import", skema, "--municipality", ALLEROED, "--year", YEAR, "--as", world.editor.email)
    assert result.exit_code == 0, result.output
    assert "Indlæst: 1 rækker ændret, 15 uændret." in result.output
    assert world.entry("hov15-v1").remark == "Fra kommandolinjen."


def test_the_cli_reports_every_problem_with_its_cell(world: World, fremdrift: CliRunner, tmp_path: Path) -> None:
    skema = tmp_path / "skema.xlsx"
    skema.write_bytes(filled_for_allerod(world))
    workbook = openpyxl.load_workbook(skema)
    fill(workbook, "hov15-v1", colour="blå")
    workbook.save(skema)
    result = _run(fremdrift, "import", skema, "--municipality", ALLEROED, "--year", YEAR, "--as", world.editor.email)
    assert result.exit_code == 1
    assert "Fremdriftsskema, række 5, kolonne E (Farve): Vælg grøn, gul eller rød." in result.output

    _remark_v1(world, "Sat online imens.")
    skema.write_bytes(filled_for_allerod(world))
    _remark_v1(world, "Og igen.")
    args = ["import", skema, "--municipality", ALLEROED, "--year", YEAR, "--as", world.editor.email]
    result = _run(fremdrift, *args)
    assert result.exit_code == 2
    assert "række 5, hov15-v1: gemt af Jette Jobcenterchef" in result.output
    result = _run(fremdrift, *args, "--keep", "hov15-v1=mine")
    assert result.exit_code == 0, result.output
    assert world.entry("hov15-v1").remark == "Indlæst fra projektmappen."

    bad = _run(fremdrift, "export", tmp_path / "x.csv", "--year", YEAR, "--as", world.editor.email)
    assert bad.exit_code == 2
    nobody = _run(fremdrift, "export", tmp_path / "x.csv", "--year", YEAR, "--kkr", "KKR Hovedstaden", "--as", "x@y.dk")
    assert nobody.exit_code == 1
    assert "Der er ingen bruger" in nobody.output
