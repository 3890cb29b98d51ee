"""Taking a filled-in offline workbook apart, refusing anything that is not a plain workbook of ours.

Refused before openpyxl sees it: a file over the upload limit, a file that is not a workbook, a
password-protected one (an encrypted workbook is an OLE container, not a zip), a macro workbook
(.xlsm) and a zip that would unpack to far more than any form of ours (a zip bomb). openpyxl then
parses with defusedxml, which refuses entity declarations (XML bombs). Values only: a formula in
any cell is an error naming its cell, never computed, never read.
"""

import io
import zipfile
from datetime import date, datetime

from defusedxml import DefusedXmlException
from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet.worksheet import Worksheet

from app.domain.imports import Cell, FilledWorkbook, ImportRefused, Problem, WorkbookRow
from app.spreadsheets.offline import COLUMNS, FIRST_ROW, HEADING_ROW, INFO, INFO_LABELS, INFO_ROWS, SHEET

# One municipality's workbook is about 15 kB; the limit leaves room for long remarks. The upload
# routes (UPLOAD_PATHS) get a request body limit a little above it (a multipart form's own bytes),
# so the page can say this in Danish before the body-size middleware must.
MAX_UPLOAD_BYTES = 1024 * 1024
UPLOAD_BODY_BYTES = MAX_UPLOAD_BYTES + 64 * 1024
UPLOAD_PATHS = r"/kommuner/\d+/\d+/indlaes(/valg)?|/api/reports/\d+/\d+/import"
MAX_UNPACKED_BYTES = 20 * 1024 * 1024
OLE_MAGIC = bytes.fromhex("d0cf11e0a1b11ae1")
# The stream an encrypted Office file keeps its key data in, as the OLE directory spells it.
ENCRYPTION_INFO = "EncryptionInfo".encode("utf-16-le")
MACRO_CONTENT_TYPE = b"macroEnabled"

NOT_A_WORKBOOK = "Filen er ikke en Excel-projektmappe (.xlsx). Gem den som Excel-projektmappe, og prøv igen."
TOO_LARGE = f"Filen er for stor (over {MAX_UPLOAD_BYTES // 1024 // 1024} MB). Et udfyldt skema fylder langt mindre."
ENCRYPTED = "Filen er beskyttet med en adgangskode. Fjern adgangskoden i Excel (Filer > Oplysninger), og gem igen."
OLD_EXCEL = "Filen er i det gamle Excel-format (.xls). Gem den som Excel-projektmappe (.xlsx), og prøv igen."
MACROS = "Filen er en projektmappe med makroer (.xlsm), og den indlæses ikke. Gem den som .xlsx uden makroer."
UNSAFE_XML = "Filen indeholder XML, der ikke er tilladt (entiteter eller DTD), og den indlæses ikke."
ZIP_BOMB = "Filen pakker sig ud til langt mere, end et skema fylder, og den indlæses ikke."
FORMULA = "Cellen indeholder en formel. Skriv værdien som tekst (sæt en apostrof ' foran =, + og -)."
ERROR_VALUE = "Cellen indeholder en fejlværdi (fx #NAVN?). Skriv værdien som tekst."


def _refuse(message: str) -> ImportRefused:
    return ImportRefused([Problem(None, None, None, "", message)])


def read_filled_workbook(data: bytes, file_name: str = "") -> FilledWorkbook:
    """The cells of a filled-in offline workbook, or ``ImportRefused`` saying why not and where."""
    _check_container(data, file_name)
    try:
        workbook = load_workbook(io.BytesIO(data), data_only=False, keep_links=False, keep_vba=False)
    except DefusedXmlException:
        raise _refuse(UNSAFE_XML) from None
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, TypeError, OSError, IndexError) as error:
        # openpyxl wraps what the parser refused in a ValueError of its own.
        unsafe = isinstance(error.__cause__, DefusedXmlException)
        raise _refuse(UNSAFE_XML if unsafe else NOT_A_WORKBOOK) from None
    if SHEET not in workbook.sheetnames or INFO not in workbook.sheetnames:
        missing = SHEET if SHEET not in workbook.sheetnames else INFO
        raise _refuse(f"Arket »{missing}« mangler. Brug projektmappen, som Fremdrift lavede, uden at omdøbe ark.")
    sheet, info = workbook[SHEET], workbook[INFO]
    problems = [*_formulas(info), *_formulas(sheet), *_headings(sheet)]
    if problems:
        raise ImportRefused(problems)
    rows = []
    for number in range(FIRST_ROW, sheet.max_row + 1):
        cells = {column.name: _cell(sheet, number, column.letter, column.heading) for column in COLUMNS}
        if not any(cells[name].value.strip() for name in _READ):
            continue  # an empty row below the form
        rows.append(WorkbookRow(row=number, **{name: cells[name] for name in _READ}))
    info_cells = {name: _cell(info, row, "B", INFO_LABELS[name]) for name, row in INFO_ROWS.items()}
    return FilledWorkbook(sheet=SHEET, rows=rows, **info_cells)


_READ = ("entry_id", "version", "key", "colour", "remark", "opted_out", "opt_out_reason")


def _check_container(data: bytes, file_name: str) -> None:
    if len(data) > MAX_UPLOAD_BYTES:
        raise _refuse(TOO_LARGE)
    if data.startswith(OLE_MAGIC):
        raise _refuse(ENCRYPTED if ENCRYPTION_INFO in data else OLD_EXCEL)
    if not data.startswith(b"PK") or not zipfile.is_zipfile(io.BytesIO(data)):
        raise _refuse(NOT_A_WORKBOOK)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
            names = {member.filename for member in members}
            if sum(member.file_size for member in members) > MAX_UNPACKED_BYTES:
                raise _refuse(ZIP_BOMB)
            content_types = archive.read("[Content_Types].xml") if "[Content_Types].xml" in names else b""
    except zipfile.BadZipFile:
        raise _refuse(NOT_A_WORKBOOK) from None
    macro = (
        file_name.lower().endswith((".xlsm", ".xltm", ".xlam"))
        or "xl/vbaProject.bin" in names
        or MACRO_CONTENT_TYPE in content_types
    )
    if macro:
        raise _refuse(MACROS)
    if "xl/workbook.xml" not in names:
        raise _refuse(NOT_A_WORKBOOK)


def _formulas(sheet: Worksheet) -> list[Problem]:
    problems = []
    for row in sheet.iter_rows():
        for cell in row:
            if cell.data_type == "f":
                problems.append(Problem(sheet.title, cell.row, cell.column_letter, _heading(sheet, cell), FORMULA))
            elif cell.data_type == "e":
                problems.append(Problem(sheet.title, cell.row, cell.column_letter, _heading(sheet, cell), ERROR_VALUE))
    return problems


def _heading(sheet: Worksheet, cell: object) -> str:
    if sheet.title != SHEET:
        return ""
    letter = getattr(cell, "column_letter", "")
    column = next((c for c in COLUMNS if c.letter == letter), None)
    return column.heading if column else ""


def _headings(sheet: Worksheet) -> list[Problem]:
    problems = []
    for column in COLUMNS:
        found = _text(sheet[f"{column.letter}{HEADING_ROW}"].value)
        if found != column.heading:
            problems.append(
                Problem(
                    SHEET,
                    HEADING_ROW,
                    column.letter,
                    column.heading,
                    f"Kolonneoverskriften skulle være »{column.heading}«, men er »{found}«: "
                    "kolonner må ikke flyttes, indsættes eller slettes.",
                )
            )
    return problems


def _cell(sheet: Worksheet, row: int, letter: str, heading: str) -> Cell:
    return Cell(sheet.title, row, letter, heading, _text(sheet[f"{letter}{row}"].value))


def _text(value: object) -> str:
    """A cell's value as the text the rules read: numbers as written, no float tails."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ja" if value else "nej"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)
