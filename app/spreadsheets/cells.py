"""Cells that show what they hold: text a spreadsheet would run as a formula stays text."""

from datetime import datetime
from zoneinfo import ZoneInfo

from openpyxl.cell.cell import Cell
from openpyxl.worksheet.worksheet import Worksheet

COPENHAGEN = ZoneInfo("Europe/Copenhagen")
# A spreadsheet reads text starting with one of these as a formula (CSV injection, OWASP).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def runs_as_formula(text: str) -> bool:
    return text.startswith(FORMULA_STARTS)


def csv_text(text: str) -> str:
    """Text for a CSV field: an apostrophe in front of what a spreadsheet would run, so it is shown
    as the text it is (the apostrophe is how Excel itself marks a text cell)."""
    return "'" + text if runs_as_formula(text) else text


def text_cell(sheet: Worksheet, row: int, column: int, text: str) -> Cell:
    """A cell that holds ``text`` as text. openpyxl would make ``=...`` a formula; an explicit
    string type keeps it text, and the quote prefix keeps it text when the user edits the cell."""
    cell = sheet.cell(row=row, column=column)
    cell.value = text
    cell.data_type = "s"
    if runs_as_formula(text):
        cell.quotePrefix = True
    return cell


def local_time(value: datetime | None) -> datetime | None:
    """A time as a Danish reader's clock shows it; Excel has no time zones, so none is attached."""
    return value.astimezone(COPENHAGEN).replace(tzinfo=None) if value else None


def local_time_text(value: datetime | None) -> str:
    local = local_time(value)
    return local.strftime("%Y-%m-%d %H:%M") if local else ""
