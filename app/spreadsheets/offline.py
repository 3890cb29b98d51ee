"""The workbook a job centre fills in offline, and its layout, which ``reading`` checks on the way back.

Sheets: "Vejledning" (how to fill it in, in Danish), "Fremdriftsskema" (one row per
recommendation: texts locked, colour as a drop-down, fravalgt only on KAN rows, remark and reason
open, last year's status beside each row, the row id and version in hidden columns) and a hidden
"Filinfo" naming the municipality, year, round and report. Sheet protection has no password: it
guides the user; the import treats every cell, hidden or not, as user input.
"""

import io
from dataclasses import dataclass

from openpyxl import Workbook
from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from app.domain.exports import OfflineRow, OfflineWorkbook
from app.domain.imports import FORMAT, YES
from app.domain.statuses import MAX_REASON_LENGTH, MAX_REMARK_LENGTH
from app.domain.vocabulary import Colour
from app.spreadsheets.cells import text_cell

SHEET = "Fremdriftsskema"
INSTRUCTIONS = "Vejledning"
INFO = "Filinfo"
HEADING_ROW = 4
FIRST_ROW = 5


@dataclass(frozen=True)
class Column:
    name: str
    heading: str
    width: float
    editable: bool = False
    hidden: bool = False

    @property
    def letter(self) -> str:
        letter: str = get_column_letter(COLUMNS.index(self) + 1)
        return letter


COLUMNS = [
    Column("key", "Id", 12),
    Column("focus_area", "Fokusområde", 22),
    Column("kind", "Type", 7),
    Column("text", "Anbefaling", 60),
    Column("colour", "Farve", 10, editable=True),
    Column("remark", "Bemærkning", 50, editable=True),
    Column("opted_out", "Fravalgt (kun KAN)", 11, editable=True),
    Column("opt_out_reason", "Begrundelse for fravalg", 30, editable=True),
    Column("previous_colour", "Sidste års farve", 12),
    Column("previous_remark", "Sidste års bemærkning", 40),
    Column("entry_id", "Række-id", 10, hidden=True),
    Column("version", "Version", 8, hidden=True),
]
BY_NAME = {column.name: column for column in COLUMNS}
# The hidden Filinfo sheet: label in column A, value in column B.
INFO_ROWS = {"format": 1, "municipality_code": 2, "year": 3, "round_id": 4, "report_id": 5}
INFO_LABELS = {
    "format": "Format",
    "municipality_code": "Kommunekode",
    "year": "År",
    "round_id": "Runde",
    "report_id": "Statusrapport",
}

LOCKED_FILL = PatternFill("solid", fgColor="EEEEEE")
COLOUR_FILLS = {
    Colour.GREEN: PatternFill("solid", bgColor="C8E6C9"),
    Colour.YELLOW: PatternFill("solid", bgColor="FFF59D"),
    Colour.RED: PatternFill("solid", bgColor="FFCDD2"),
}
OPEN = Protection(locked=False)
WRAP = Alignment(wrap_text=True, vertical="top")


def _thousands(number: int) -> str:
    return f"{number:,}".replace(",", ".")


def colour_word(colour: Colour | None) -> str:
    return colour.label.lower() if colour else ""


def write_offline_workbook(data: OfflineWorkbook) -> bytes:
    workbook = Workbook()
    instructions = workbook.active
    assert instructions is not None
    instructions.title = INSTRUCTIONS
    _write_instructions(instructions, data)
    _write_form(workbook.create_sheet(SHEET), data)
    info = workbook.create_sheet(INFO)
    values = {
        "format": FORMAT,
        "municipality_code": str(data.municipality_code),
        "year": str(data.year),
        "round_id": str(data.round_id),
        "report_id": str(data.report_id),
    }
    for name, row in INFO_ROWS.items():
        text_cell(info, row, 1, INFO_LABELS[name])
        text_cell(info, row, 2, values[name])
    info.sheet_state = "hidden"
    info.protection.sheet = True
    workbook.active = 0
    workbook.properties.title = f"Fremdriftsskema {data.municipality} {data.year}"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _write_instructions(sheet: Worksheet, data: OfflineWorkbook) -> None:
    lines = [
        (f"Fremdriftsskema for {data.municipality} Kommune: status for {data.year}", True),
        (f"{data.kkr} · {data.catalogue_title} · frist {data.deadline_iso}", False),
        ("", False),
        ("Sådan udfylder du skemaet", True),
        (f"1. Gå til arket »{SHEET}«. Der er én række for hver anbefaling.", False),
        ("2. Vælg en farve i kolonnen Farve: grøn, gul eller rød (vælg fra listen i cellen).", False),
        (
            f"3. Skriv en bemærkning. Gul og rød kræver en bemærkning. Højst {_thousands(MAX_REMARK_LENGTH)} tegn.",
            False,
        ),
        (
            f"4. En KAN-anbefaling kan fravælges: skriv »{YES}« i kolonnen Fravalgt og en begrundelse "
            f"(højst {_thousands(MAX_REASON_LENGTH)} tegn). En fravalgt anbefaling har ingen farve.",
            False,
        ),
        ("5. Skriv kun ren tekst. Skriv aldrig et CPR-nummer: statusrapporter offentliggøres.", False),
        ("6. Skriv ikke formler. En celle, der starter med =, + eller -, skal have en apostrof (') foran.", False),
        ("7. Gem filen som Excel-projektmappe (.xlsx) uden adgangskode, og indlæs den på rapportens side.", False),
        ("", False),
        ("Godt at vide", True),
        ("Anbefalingernes tekster og sidste års status er låst. Flyt, slet eller indsæt ikke rækker.", False),
        ("Skemaet hører til denne kommune, dette år og denne runde; det kan ikke indlæses andre steder.", False),
        (
            "Indlæsningen gemmer alt eller intet: er der en fejl, får du at vide, hvilket ark, hvilken række "
            "og hvilken kolonne det gælder, og intet gemmes.",
            False,
        ),
        (
            "Er en række ændret på siden, efter du hentede skemaet, bliver den ikke overskrevet: du ser begge "
            "værdier og vælger selv, hvilken der skal gælde.",
            False,
        ),
        ("Rækker, der indlæses, gælder som bekræftet, også dem der er overført fra sidste år.", False),
        ("", False),
        ("Farvernes betydning", True),
        *((f"{colour.label}: {data.colour_meanings[colour]}", False) for colour in Colour),
    ]
    for number, (text, bold) in enumerate(lines, start=1):
        cell = text_cell(sheet, number, 1, text)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        if bold:
            cell.font = Font(bold=True, size=14 if number == 1 else 12)
    sheet.column_dimensions["A"].width = 110
    sheet.protection.sheet = True


def _previous(row: OfflineRow) -> tuple[str, str]:
    colours, remarks = [], []
    for previous in row.previous:
        word = "fravalgt" if previous.opted_out else colour_word(previous.colour)
        label = f"{previous.key}: " if len(row.previous) > 1 else ""
        colours.append(label + word)
        if previous.remark:
            remarks.append(label + previous.remark)
    return ", ".join(colours), "\n\n".join(remarks)


def _write_form(sheet: Worksheet, data: OfflineWorkbook) -> None:
    title = text_cell(sheet, 1, 1, f"{data.municipality} Kommune: status for {data.year}")
    title.font = Font(bold=True, size=14)
    text_cell(sheet, 2, 1, "Udfyld de hvide celler. Se arket »Vejledning«.")
    for column in COLUMNS:
        cell = text_cell(sheet, HEADING_ROW, COLUMNS.index(column) + 1, column.heading)
        cell.font = Font(bold=True)
        cell.alignment = WRAP
        dimension = sheet.column_dimensions[column.letter]
        dimension.width = column.width
        dimension.hidden = column.hidden

    last = FIRST_ROW + len(data.rows) - 1
    colour_list = DataValidation(
        type="list",
        formula1='"' + ",".join(colour_word(c) for c in Colour) + '"',
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="Ugyldig farve",
        error="Vælg grøn, gul eller rød.",
        promptTitle="Farve",
        prompt="Vælg grøn, gul eller rød.",
        showInputMessage=True,
    )
    opt_out_list = DataValidation(
        type="list",
        formula1=f'"{YES}"',
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="Fravalg",
        error=f"Skriv {YES}, eller lad feltet stå tomt.",
    )
    sheet.add_data_validation(colour_list)
    sheet.add_data_validation(opt_out_list)
    if data.rows:
        colour_list.add(f"{BY_NAME['colour'].letter}{FIRST_ROW}:{BY_NAME['colour'].letter}{last}")

    for number, row in enumerate(data.rows, start=FIRST_ROW):
        previous_colour, previous_remark = _previous(row)
        values = {
            "key": row.key,
            "focus_area": row.focus_area,
            "kind": row.kind.label,
            "text": row.text,
            "colour": colour_word(row.colour),
            "remark": row.remark,
            "opted_out": YES if row.opted_out else "",
            "opt_out_reason": row.opt_out_reason,
            "previous_colour": previous_colour,
            "previous_remark": previous_remark,
            "entry_id": str(row.entry_id),
            "version": str(row.version),
        }
        for column in COLUMNS:
            cell = text_cell(sheet, number, COLUMNS.index(column) + 1, values[column.name])
            cell.alignment = WRAP
            opens = column.editable and (row.may_opt_out or column.name not in ("opted_out", "opt_out_reason"))
            if opens:
                cell.protection = OPEN
            else:
                cell.fill = LOCKED_FILL
        if row.may_opt_out:
            opt_out_list.add(f"{BY_NAME['opted_out'].letter}{number}")
        longest = max(len(row.text) / 55, len(row.remark) / 45, len(previous_remark) / 35, 1)
        sheet.row_dimensions[number].height = min(409, 15 * (int(longest) + 1))

    if data.rows:  # the light behind the word, as on the page (the word stays: never colour alone)
        for name in ("colour", "previous_colour"):
            letter = BY_NAME[name].letter
            for colour, fill in COLOUR_FILLS.items():
                rule = FormulaRule(formula=[f'${letter}{FIRST_ROW}="{colour_word(colour)}"'], fill=fill)
                sheet.conditional_formatting.add(f"{letter}{FIRST_ROW}:{letter}{last}", rule)
    sheet.freeze_panes = f"E{FIRST_ROW}"
    protection = sheet.protection
    protection.sheet = True
    protection.formatColumns = False  # let the user widen columns and rows to read
    protection.formatRows = False
    sheet.print_title_rows = f"{HEADING_ROW}:{HEADING_ROW}"
