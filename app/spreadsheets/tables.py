"""A round's or a report's statuses as CSV (semicolon and BOM for Danish Excel, or plain comma)
and as an .xlsx workbook, one row per municipality and recommendation, Danish headings."""

import csv
import io
from typing import Literal

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from app.domain.exports import Export, ExportRow
from app.spreadsheets.cells import csv_text, local_time, local_time_text, text_cell

HEADINGS = [
    "Kommunekode",
    "Kommune",
    "Rapportens status",
    "Anbefaling-id",
    "Anbefaling",
    "Type",
    "Fokusområde",
    "Farve",
    "Fravalgt",
    "Begrundelse for fravalg",
    "Bemærkning",
    "Bekræftet",
    "Ændret af",
    "Ændret",
]
WIDTHS = [12, 18, 14, 14, 60, 8, 30, 8, 9, 30, 60, 10, 22, 17]
CsvDialect = Literal["semicolon", "comma"]


def _yes_no(value: bool | None) -> str:
    return "" if value is None else ("ja" if value else "nej")


def _texts(row: ExportRow) -> list[str]:
    return [
        row.municipality,
        row.report_state.label,
        row.recommendation_key,
        row.recommendation_text,
        row.kind.label,
        row.focus_area,
        row.colour.label if row.colour else "",
        _yes_no(row.opted_out),
        row.opt_out_reason,
        row.remark,
        _yes_no(row.confirmed),
        row.updated_by or "",
    ]


def export_csv(export: Export, dialect: CsvDialect = "semicolon") -> bytes:
    """CSV as Danish Excel opens it with a double click (UTF-8 with BOM, semicolons), or with
    commas and no BOM for other tools. Text that would run as a formula gets an apostrophe."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";" if dialect == "semicolon" else ",", lineterminator="\r\n")
    writer.writerow(HEADINGS)
    for row in export.rows:
        writer.writerow(
            [str(row.municipality_code), *(csv_text(text) for text in _texts(row)), local_time_text(row.updated_at)]
        )
    text = out.getvalue()
    return ("\ufeff" + text if dialect == "semicolon" else text).encode("utf-8")


def export_xlsx(export: Export) -> bytes:
    """The same table as a workbook: a heading row that stays put, filters, real times."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Status"
    for column, heading in enumerate(HEADINGS, start=1):
        cell = sheet.cell(row=1, column=column, value=heading)
        cell.font = Font(bold=True)
        sheet.column_dimensions[get_column_letter(column)].width = WIDTHS[column - 1]
    wrap = Alignment(wrap_text=True, vertical="top")
    for number, row in enumerate(export.rows, start=2):
        sheet.cell(row=number, column=1, value=row.municipality_code)
        for column, text in enumerate(_texts(row), start=2):
            text_cell(sheet, number, column, text).alignment = wrap
        when = sheet.cell(row=number, column=len(HEADINGS), value=local_time(row.updated_at))
        when.number_format = "dd-mm-yyyy hh:mm"
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(HEADINGS))}{max(1, len(export.rows) + 1)}"
    workbook.properties.title = export.title
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
