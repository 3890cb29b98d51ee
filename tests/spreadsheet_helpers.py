"""Filling in the offline workbook as a user would, with openpyxl, and sending it back."""

import io
from typing import Any

import openpyxl
from httpx2 import Response
from openpyxl.workbook.workbook import Workbook

from app.domain.accounts import actor_of
from app.domain.exports import offline_workbook
from app.security.csrf import CSRF_HEADER
from app.spreadsheets.offline import BY_NAME, FIRST_ROW, SHEET, write_offline_workbook
from app.spreadsheets.reading import read_filled_workbook
from tests.factories import ALLEROED
from tests.scenarios import YEAR, Browser, World

FIELDS = {"colour", "remark", "opted_out", "opt_out_reason", "entry_id", "version", "key"}


def download(browser: Browser, code: int = ALLEROED, year: int = YEAR) -> Workbook:
    response = browser.client.get(f"/kommuner/{code}/{year}/skema.xlsx")
    assert response.status_code == 200, response.text[:300]
    return openpyxl.load_workbook(io.BytesIO(response.content))


def row_of(workbook: Workbook, key: str) -> int:
    sheet = workbook[SHEET]
    for number in range(FIRST_ROW, sheet.max_row + 1):
        if sheet[f"{BY_NAME['key'].letter}{number}"].value == key:
            return number
    raise AssertionError(f"no row for {key}")


def fill(workbook: Workbook, recommendation: str, **values: Any) -> int:
    """Type ``values`` into the row of ``recommendation``; returns the row number."""
    sheet = workbook[SHEET]
    number = row_of(workbook, recommendation)
    for name, value in values.items():
        assert name in FIELDS, name
        sheet[f"{BY_NAME[name].letter}{number}"] = value
    return number


def cell(workbook: Workbook, key: str, name: str) -> Any:
    return workbook[SHEET][f"{BY_NAME[name].letter}{row_of(workbook, key)}"].value


def as_bytes(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def upload(
    browser: Browser,
    content: bytes,
    *,
    code: int = ALLEROED,
    year: int = YEAR,
    name: str = "skema.xlsx",
) -> Response:
    response: Response = browser.client.post(
        f"/kommuner/{code}/{year}/indlaes",
        files={"workbook": (name, content, "application/octet-stream")},
        headers={CSRF_HEADER: browser.token, "HX-Request": "true"},
    )
    return response


def filled_for_allerod(world: World) -> bytes:
    """Allerød's workbook, made by the domain (no request), with one row changed."""
    with world.db.read() as session:
        data = offline_workbook(session, actor_of(world.editor), ALLEROED, YEAR)
    workbook = openpyxl.load_workbook(io.BytesIO(write_offline_workbook(data)))
    fill(workbook, "hov15-v1", colour="gul", remark="Indlæst fra projektmappen.")
    return as_bytes(workbook)


def pending_for_allerod(world: World) -> str:
    """The same filled workbook as the conflict page carries it on to the user's choice."""
    return read_filled_workbook(filled_for_allerod(world)).to_json()
