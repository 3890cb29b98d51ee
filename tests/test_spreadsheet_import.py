"""The offline workbook: download it, fill it in with openpyxl as a user would, import it back.
All or nothing: every bad workbook is refused with its sheet, row and column, and changes nothing."""

import html
import io
import re
import zipfile
from collections.abc import Callable
from datetime import datetime

import openpyxl
import pytest
from msoffcrypto.format.ooxml import OOXMLFile
from openpyxl.workbook.workbook import Workbook
from sqlmodel import Session, select

from app.domain import imports
from app.domain.access import Actor
from app.domain.accounts import actor_of
from app.domain.imports import Choice, FilledWorkbook
from app.domain.reports.commands import EntryInput, EntrySnapshot, RowConflict, SavedEntry, save_entry
from app.models import StatusChange, StatusEntry
from app.spreadsheets.offline import INFO, SHEET
from app.spreadsheets.reading import MAX_UPLOAD_BYTES, UPLOAD_BODY_BYTES, read_filled_workbook
from app.web.spreadsheets import choices_from_form
from tests.factories import ALBERTSLUND, ALLEROED, NOW, start
from tests.scenarios import YEAR, World, changed_tables, remark_history, snapshot
from tests.spreadsheet_helpers import as_bytes, cell, download, fill, row_of, upload


def test_a_filled_workbook_round_trips_into_the_report_and_its_history(world: World) -> None:
    browser = world.browser(world.editor)
    workbook = download(browser)
    assert workbook.sheetnames[:2] == ["Vejledning", SHEET]
    assert workbook[INFO].sheet_state == "hidden"
    assert cell(workbook, "hov15-v1", "colour") == "grøn"
    fill(workbook, "hov15-v1", colour="gul", remark="Delvist i gang: to af tre jobcentre.")
    fill(workbook, "hov15-v4", opted_out="ja", opt_out_reason="Vi har valgt et andet samarbejde.")
    fill(workbook, "hov15-b3", colour="rød", remark="- ikke en formel, bare tekst")

    response = upload(browser, as_bytes(workbook))

    assert response.status_code == 200, response.text
    assert "Skemaet er indlæst." in response.text
    assert "3 rækker er ændret" in response.text
    v1, v4, b3 = world.entry("hov15-v1"), world.entry("hov15-v4"), world.entry("hov15-b3")
    assert (v1.colour, v1.remark) == ("yellow", "Delvist i gang: to af tre jobcentre.")
    assert (v4.opted_out, v4.opt_out_reason, v4.colour) == (True, "Vi har valgt et andet samarbejde.", None)
    assert (b3.colour, b3.remark) == ("red", "- ikke en formel, bare tekst")
    assert remark_history(world.db, v1.id or 0)[-1] == "Delvist i gang: to af tre jobcentre."
    with world.db.read() as session:
        changes = session.exec(select(StatusChange).where(StatusChange.entry_id == v1.id)).all()
    assert {(c.field, c.new_value) for c in changes if c.version == v1.version} == {
        ("colour", "yellow"),
        ("remark", "Delvist i gang: to af tre jobcentre."),
    }
    assert all(c.changed_by_id == world.editor.id for c in changes)


def test_the_workbook_shows_last_years_status_locks_texts_and_offers_the_colours(world: World) -> None:
    workbook = download(world.browser(world.editor))
    sheet = workbook[SHEET]
    number = row_of(workbook, "hov15-v1")
    assert sheet.protection.sheet
    assert sheet[f"D{number}"].protection.locked  # the recommendation's text
    assert not sheet[f"E{number}"].protection.locked  # colour
    assert not sheet[f"F{number}"].protection.locked  # remark
    assert sheet[f"G{number}"].protection.locked  # fravalgt: a SKAL row cannot be opted out
    assert not sheet[f"G{row_of(workbook, 'hov15-v4')}"].protection.locked
    assert sheet.column_dimensions["K"].hidden and sheet.column_dimensions["L"].hidden
    lists = {dv.formula1: str(dv.sqref) for dv in sheet.data_validations.dataValidation}
    assert '"grøn,gul,rød"' in lists
    assert f"G{row_of(workbook, 'hov15-v4')}" in lists['"ja"']
    assert f"G{number}" not in lists['"ja"'].split()
    assert sheet["I4"].value == "Sidste års farve"
    rules = {rule.formula[0] for cf in sheet.conditional_formatting for rule in cf.rules}
    assert '$E5="grøn"' in rules  # the light behind the word, as on the page


# ---------------------------------------------------------------------------- refused, nothing written


def _refused(world: World, content: bytes, *expected: str, name: str = "skema.xlsx") -> str:
    browser = world.browser(world.editor)
    before = snapshot(world.db)
    response = upload(browser, content, name=name)
    assert response.status_code == 422, response.text[:500]
    assert "intet er gemt" in response.text
    shown = "\n".join(problem_lines(response.text))
    for text in expected:
        assert text in shown, shown
    assert changed_tables(before, snapshot(world.db)) == []
    return response.text


def _filled(world: World, edit: Callable[[Workbook], object]) -> bytes:
    workbook = download(world.browser(world.editor))
    fill(workbook, "hov15-v2", colour="rød", remark="Gyldig ændring, der ikke må gemmes.")
    edit(workbook)
    return as_bytes(workbook)


def _cells(number: int, column: str, heading: str) -> str:
    """A problem's place as the page's table shows it (sheet, row, column), read back as one line."""
    return f"{SHEET} | {number} | {column} ({heading})"


def problem_lines(page: str) -> list[str]:
    """The problems table of the import page, one "sheet | row | column | message" line per row."""
    rows = re.findall(r"<tr>(.*?)</tr>", page, re.S)
    cells = [re.findall(r'<td data-label="[^"]+">(.*?)</td>', row, re.S) for row in rows]
    return [" | ".join(html.unescape(c.strip()) for c in row) for row in cells if row]


def test_a_bad_colour_is_refused_with_its_cell(world: World) -> None:
    number = 0

    def edit(workbook: Workbook) -> None:
        nonlocal number
        number = fill(workbook, "hov15-v1", colour="blå")

    content = _filled(world, edit)
    _refused(world, content, _cells(number, "E", "Farve"), "Vælg grøn, gul eller rød.")


def test_a_cpr_like_remark_is_refused(world: World) -> None:
    number = 0

    def edit(workbook: Workbook) -> None:
        nonlocal number
        number = fill(workbook, "hov15-v1", remark="Borger 010190-1234 er startet.")

    _refused(world, _filled(world, edit), _cells(number, "F", "Bemærkning"), "CPR-nummer")


def test_a_too_long_remark_is_refused(world: World) -> None:
    number = 0

    def edit(workbook: Workbook) -> None:
        nonlocal number
        number = fill(workbook, "hov15-v1", remark="x" * 2001)

    _refused(world, _filled(world, edit), _cells(number, "F", "Bemærkning"), "højst være 2.000 tegn; den er 2.001")


def test_fravalgt_on_a_skal_row_is_refused(world: World) -> None:
    number = 0

    def edit(workbook: Workbook) -> None:
        nonlocal number
        number = fill(workbook, "hov15-v1", opted_out="ja", opt_out_reason="Vil ikke.")

    _refused(
        world, _filled(world, edit), _cells(number, "G", "Fravalgt (kun KAN)"), "Kun en KAN-anbefaling kan fravælges."
    )


def test_a_formula_is_refused_never_computed(world: World) -> None:
    number = 0

    def edit(workbook: Workbook) -> None:
        nonlocal number
        number = fill(workbook, "hov15-v1", remark='=HYPERLINK("https://evil.example","klik")')

    _refused(world, _filled(world, edit), _cells(number, "F", "Bemærkning"), "Cellen indeholder en formel")


def test_an_edited_row_id_is_refused(world: World) -> None:
    number = 0

    def edit(workbook: Workbook) -> None:
        nonlocal number
        other = world.entry("hov15-v1", world.submitted)  # Frederiksberg's row
        number = fill(workbook, "hov15-v1", entry_id=str(other.id))

    text = _refused(world, _filled(world, edit), _cells(number, "K", "Række-id"), "hører ikke til denne statusrapport")
    assert "Rækken for anbefaling hov15-v1 mangler" in text


def test_swapped_ids_and_edited_versions_are_refused(world: World) -> None:
    def edit(workbook: Workbook) -> None:
        fill(workbook, "hov15-v3", key="hov15-v4")  # the visible id no longer matches the hidden one
        fill(workbook, "hov15-b1", version="99")

    _refused(world, _filled(world, edit), "forventede hov15-v3", "Rækkens skjulte version er ændret")


def test_a_missing_and_a_repeated_row_are_refused(world: World) -> None:
    def edit(workbook: Workbook) -> None:
        sheet = workbook[SHEET]
        v1, b1 = row_of(workbook, "hov15-v1"), row_of(workbook, "hov15-b1")
        for column in "ABCDEFGHIJKL":
            sheet[f"{column}{b1}"] = sheet[f"{column}{v1}"].value

    _refused(world, _filled(world, edit), "står her for anden gang", "Rækken for anbefaling hov15-b1 mangler")


def test_an_extra_row_is_refused(world: World) -> None:
    def edit(workbook: Workbook) -> None:
        sheet = workbook[SHEET]
        last = sheet.max_row + 1
        sheet[f"A{last}"], sheet[f"E{last}"], sheet[f"K{last}"], sheet[f"L{last}"] = "hov15-x9", "grøn", "999999", "1"

    _refused(world, _filled(world, edit), "hører ikke til denne statusrapport")


def test_another_municipalitys_workbook_is_refused(world: World) -> None:
    start(world.db, world.other_editor, ALBERTSLUND, YEAR)
    theirs = download(world.browser(world.other_editor), ALBERTSLUND)
    fill(theirs, "hov15-v1", colour="rød", remark="Albertslunds tekst.")
    _refused(world, as_bytes(theirs), "Filinfo", "Projektmappen er til en anden kommune (kommunekode 165)")


def test_a_workbook_with_edited_file_info_is_refused(world: World) -> None:
    def edit(workbook: Workbook) -> None:
        workbook[INFO]["B3"] = "2024"

    _refused(world, _filled(world, edit), "Projektmappen er til status for 2024, ikke for 2025.")


def test_moved_columns_are_refused(world: World) -> None:
    def edit(workbook: Workbook) -> None:
        workbook[SHEET]["E4"], workbook[SHEET]["F4"] = "Bemærkning", "Farve"

    _refused(world, _filled(world, edit), "kolonner må ikke flyttes")


# ---------------------------------------------------------------------------- not a workbook of ours


def test_a_file_that_is_not_a_workbook_is_refused(world: World) -> None:
    _refused(world, b"Kommune;Farve\nAlleroed;groen\n", "ikke en Excel-projektmappe", name="skema.csv")
    _refused(world, b"PK\x03\x04 not really a zip", "ikke en Excel-projektmappe")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    _refused(world, buffer.getvalue(), "ikke en Excel-projektmappe")


BILLION_LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10 if i > 1 else "&lol;" * 10}">' for i in range(1, 10))
    + ']><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row></sheetData></worksheet>'
)


def _replace_member(content: bytes, prefix: str, replacement: str) -> bytes:
    source, out = zipfile.ZipFile(io.BytesIO(content)), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for item in source.infolist():
            data = replacement.encode() if item.filename.startswith(prefix) else source.read(item)
            archive.writestr(item.filename, data)
    return out.getvalue()


def test_an_xml_bomb_is_refused(world: World) -> None:
    content = as_bytes(download(world.browser(world.editor)))
    bomb = _replace_member(content, "xl/worksheets/sheet2.xml", BILLION_LAUGHS)
    _refused(world, bomb, "XML, der ikke er tilladt")


def test_a_macro_workbook_is_refused(world: World) -> None:
    content = as_bytes(download(world.browser(world.editor)))
    _refused(world, content, "makroer (.xlsm)", name="skema.xlsm")
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(content)) as source, zipfile.ZipFile(out, "w") as archive:
        for item in source.infolist():
            archive.writestr(item, source.read(item))
        archive.writestr("xl/vbaProject.bin", b"\x00" * 64)
    _refused(world, out.getvalue(), "makroer (.xlsm)")


def test_a_password_protected_workbook_is_refused(world: World) -> None:
    content = as_bytes(download(world.browser(world.editor)))
    encrypted = io.BytesIO()
    OOXMLFile(io.BytesIO(content)).encrypt("hemmelig", encrypted)
    _refused(world, encrypted.getvalue(), "beskyttet med en adgangskode")


def test_an_upload_over_the_limit_is_refused_in_danish(world: World) -> None:
    assert MAX_UPLOAD_BYTES < UPLOAD_BODY_BYTES  # so the page, not the middleware, says it
    _refused(world, b"PK" + b"\x00" * MAX_UPLOAD_BYTES, "Filen er for stor")


# ---------------------------------------------------------------------------- conflicts


def _colleague_saves_v1(world: World, remark: str) -> None:
    entry = world.entry("hov15-v1")
    with world.db.write() as session:
        data = EntryInput("red", remark, False, "", entry.version)
        save_entry(session, actor_of(world.colleague), entry.id or 0, data, now=NOW)


def test_a_row_changed_online_is_shown_with_both_values_and_the_user_chooses(world: World) -> None:
    browser = world.browser(world.editor)
    workbook = download(browser)
    fill(workbook, "hov15-v1", colour="gul", remark="Fra projektmappen.")
    fill(workbook, "hov15-v2", colour="gul", remark="Også fra projektmappen.")
    _colleague_saves_v1(world, "Sat online af en kollega.")

    before = snapshot(world.db)
    response = upload(browser, as_bytes(workbook))
    assert response.status_code == 409, response.text
    assert "1 række er ændret online" in response.text
    assert "Fra projektmappen." in response.text
    assert "Sat online af en kollega." in response.text
    assert "Karl Kollega" in response.text
    assert changed_tables(before, snapshot(world.db)) == []

    v1 = world.entry("hov15-v1")
    pending = FilledWorkbook.from_json(_pending(response.text))
    form = {"pending": pending.to_json(), f"keep_{v1.id}": "theirs", f"version_{v1.id}": str(v1.version)}
    chosen = browser.client.post(
        f"/kommuner/{ALLEROED}/{YEAR}/indlaes/valg", data=form, headers={"X-CSRF-Token": browser.token}
    )
    assert chosen.status_code == 200, chosen.text
    assert "1 række er ændret" in chosen.text
    assert "1 beholdt som gemt online" in chosen.text
    assert world.entry("hov15-v1").remark == "Sat online af en kollega."
    assert world.entry("hov15-v2").remark == "Også fra projektmappen."


def test_choosing_the_workbooks_value_overwrites_deliberately(world: World) -> None:
    browser = world.browser(world.editor)
    workbook = download(browser)
    fill(workbook, "hov15-v1", colour="gul", remark="Fra projektmappen.")
    _colleague_saves_v1(world, "Sat online af en kollega.")
    response = upload(browser, as_bytes(workbook))
    v1 = world.entry("hov15-v1")
    form = {"pending": _pending(response.text), f"keep_{v1.id}": "mine", f"version_{v1.id}": str(v1.version)}
    chosen = browser.client.post(
        f"/kommuner/{ALLEROED}/{YEAR}/indlaes/valg", data=form, headers={"X-CSRF-Token": browser.token}
    )
    assert chosen.status_code == 200, chosen.text
    assert world.entry("hov15-v1").remark == "Fra projektmappen."
    assert remark_history(world.db, v1.id or 0)[-2:] == ["Sat online af en kollega.", "Fra projektmappen."]


def test_a_choice_made_against_an_older_online_value_is_asked_again(world: World) -> None:
    browser = world.browser(world.editor)
    workbook = download(browser)
    fill(workbook, "hov15-v1", colour="gul", remark="Fra projektmappen.")
    _colleague_saves_v1(world, "Første online ændring.")
    response = upload(browser, as_bytes(workbook))
    v1 = world.entry("hov15-v1")
    _colleague_saves_v1(world, "Anden online ændring.")
    before = snapshot(world.db)
    form = {"pending": _pending(response.text), f"keep_{v1.id}": "mine", f"version_{v1.id}": str(v1.version)}
    again = browser.client.post(
        f"/kommuner/{ALLEROED}/{YEAR}/indlaes/valg", data=form, headers={"X-CSRF-Token": browser.token}
    )
    assert again.status_code == 409
    assert "Anden online ændring." in again.text
    assert changed_tables(before, snapshot(world.db)) == []


def test_a_tampered_pending_import_is_refused(world: World) -> None:
    browser = world.browser(world.editor)
    response = browser.client.post(
        f"/kommuner/{ALLEROED}/{YEAR}/indlaes/valg",
        data={"pending": "{not json"},
        headers={"X-CSRF-Token": browser.token},
    )
    assert response.status_code == 422
    assert "Indlæs projektmappen igen" in response.text


def _pending(page: str) -> str:
    found = re.search(r'name="pending" value="([^"]*)"', page)
    assert found, page
    return html.unescape(found.group(1))


# ---------------------------------------------------------------------------- who may


@pytest.mark.parametrize("who", ["other_editor", "coordinator", "reader"])
def test_only_the_municipalitys_editors_get_the_workbook_and_import_page(world: World, who: str) -> None:
    browser = world.browser(getattr(world, who))
    assert browser.client.get(f"/kommuner/{ALLEROED}/{YEAR}/skema.xlsx").status_code in (403, 404)
    assert browser.client.get(f"/kommuner/{ALLEROED}/{YEAR}/indlaes").status_code in (403, 404)


def test_the_import_page_offers_the_workbook_and_the_upload(world: World) -> None:
    page = world.browser(world.editor).client.get(f"/kommuner/{ALLEROED}/{YEAR}/indlaes")
    assert page.status_code == 200
    assert "Indlæs et udfyldt skema" in page.text
    assert 'hx-encoding="multipart/form-data"' in page.text
    report = world.browser(world.editor).client.get(f"/kommuner/{ALLEROED}/{YEAR}")
    assert f"/kommuner/{ALLEROED}/{YEAR}/skema.xlsx" in report.text


def test_a_submitted_report_takes_no_workbook(world: World) -> None:
    browser = world.browser(world.frederiksberg_editor)
    response = browser.client.get(f"/kommuner/147/{YEAR}/skema.xlsx")
    assert response.status_code == 409
    assert "indsendt" in response.text


def test_the_workbook_reads_back_what_it_wrote(world: World) -> None:
    # Untouched, the workbook imports as "nothing changed": every value survives the round trip.
    # A remark saved online that a spreadsheet would run as a formula goes out as text, and back.
    entry = world.entry("hov15-v2")
    with world.db.write() as session:
        data = EntryInput("green", '=HYPERLINK("https://evil.example")', False, "", entry.version)
        save_entry(session, actor_of(world.editor), entry.id or 0, data, now=NOW)
    browser = world.browser(world.editor)
    content = browser.client.get(f"/kommuner/{ALLEROED}/{YEAR}/skema.xlsx").content
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    assert cell(workbook, "hov15-v1", "remark") == "Som anbefalet."
    remark = workbook[SHEET][f"F{row_of(workbook, 'hov15-v2')}"]
    assert (remark.value, remark.data_type, remark.quotePrefix) == ('=HYPERLINK("https://evil.example")', "s", True)
    before = snapshot(world.db)
    response = upload(browser, content)
    assert response.status_code == 200, response.text
    assert "0 rækker er ændret, 16 uændret" in response.text
    assert changed_tables(before, snapshot(world.db)) == []


def test_an_old_xls_a_zip_bomb_and_a_foreign_workbook_are_refused(world: World) -> None:
    _refused(world, bytes.fromhex("d0cf11e0a1b11ae1") + b"\x00" * 512, "gamle Excel-format (.xls)")
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", b" " * (21 * 1024 * 1024))
    _refused(world, bomb.getvalue(), "pakker sig ud til langt mere")
    foreign = openpyxl.Workbook()
    _refused(world, as_bytes(foreign), "Arket »Fremdriftsskema« mangler")


def test_an_error_value_in_a_cell_is_refused(world: World) -> None:
    number = 0

    def edit(workbook: Workbook) -> None:
        nonlocal number
        number = row_of(workbook, "hov15-v1")
        target = workbook[SHEET][f"F{number}"]
        target.value, target.data_type = "#N/A", "e"

    _refused(world, _filled(world, edit), _cells(number, "F", "Bemærkning"), "fejlværdi")


def test_an_upload_after_the_report_was_submitted_says_so_where_the_result_goes(world: World) -> None:
    browser = world.browser(world.frederiksberg_editor)
    before = snapshot(world.db)
    response = upload(browser, b"PK", code=147)
    assert response.status_code == 409
    assert 'id="import-result"' in response.text
    assert "Rapporten er indsendt og kan ikke ændres." in response.text
    assert changed_tables(before, snapshot(world.db)) == []


def test_fravalgt_takes_ja_or_nothing(world: World) -> None:
    number = 0

    def edit(workbook: Workbook) -> None:
        nonlocal number
        number = fill(workbook, "hov15-v4", opted_out="måske")

    _refused(world, _filled(world, edit), _cells(number, "G", "Fravalgt (kun KAN)"), "Skriv ja for at fravælge")


def test_fravalgt_needs_a_reason(world: World) -> None:
    number = 0

    def edit(workbook: Workbook) -> None:
        nonlocal number
        number = fill(workbook, "hov15-v4", opted_out="ja")

    _refused(
        world,
        _filled(world, edit),
        _cells(number, "H", "Begrundelse for fravalg"),
        "Skriv hvorfor anbefalingen er fravalgt.",
    )


def test_choices_ignore_what_the_page_never_sends() -> None:
    form = {"keep_12": "mine", "version_12": "3", "keep_13": "alt", "keep_x": "mine", "keep_14": "theirs"}
    assert choices_from_form(form) == {12: Choice("mine", 3)}


def test_a_row_saved_by_another_process_during_the_import_undoes_the_whole_import(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The version check in save_entry's UPDATE catches a save that slipped in after the import's
    # own check. Rows already saved by the import go back with the transaction: nothing is written.
    workbook = download(world.browser(world.editor))
    fill(workbook, "hov15-v1", colour="gul", remark="Første række.")
    fill(workbook, "hov15-v2", colour="gul", remark="Anden række.")
    parsed = read_filled_workbook(as_bytes(workbook))
    real_save, calls = save_entry, []

    def racing_save(session: Session, actor: Actor, entry_id: int, data: EntryInput, *, now: datetime) -> SavedEntry:
        calls.append(entry_id)
        if len(calls) == 2:
            entry = session.get(StatusEntry, entry_id)
            assert entry is not None
            raise RowConflict(EntrySnapshot(None, "", False, "", True, entry.version, None, None))
        return real_save(session, actor, entry_id, data, now=now)

    monkeypatch.setattr(imports, "save_entry", racing_save)
    before = snapshot(world.db)
    with pytest.raises(imports.ImportConflicts), world.db.write() as session:
        imports.import_workbook(session, actor_of(world.editor), ALLEROED, YEAR, parsed, now=NOW)
    assert len(calls) == 2
    assert changed_tables(before, snapshot(world.db)) == []


@pytest.mark.parametrize(("cell_ref", "value"), [("B4", "999"), ("B5", "999"), ("B1", "noget-andet")])
def test_a_workbook_of_another_round_or_report_is_refused(world: World, cell_ref: str, value: str) -> None:
    def edit(workbook: Workbook) -> None:
        workbook[INFO][cell_ref] = value

    expected = "ikke en projektmappe fra Fremdrift" if cell_ref == "B1" else "fra en anden opfølgningsrunde"
    _refused(world, _filled(world, edit), f"{INFO} | ", expected)
