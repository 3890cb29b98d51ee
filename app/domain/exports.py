"""What goes into a spreadsheet: a round's statuses, or one report's, and the offline workbook.

Each function returns rows of plain values for ``app.spreadsheets`` to write. Who sees what is
``access.py``'s rule, applied per municipality: a coordinator gets every municipality of their
KKR, an editor their own municipality's report (and, as on the pages, submitted ones), a reader
submitted reports only.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from app.domain.access import Action, Actor, is_allowed, require
from app.domain.catalogue_queries import build_tree
from app.domain.errors import NotAllowedNow, NotFound
from app.domain.reports.queries import PreviousStatus
from app.domain.reports.rules import rows_locked, scope_of, state_of
from app.domain.reports.view import ReportPage, load_report_page
from app.domain.rounds import get_round
from app.domain.text import danish_sort_key
from app.domain.vocabulary import Colour, Kind, ReportState
from app.models import Catalogue, Kkr, Municipality, StatusEntry, StatusReport, User


@dataclass(frozen=True)
class ExportRow:
    """One municipality's status for one recommendation."""

    municipality_code: int
    municipality: str
    report_state: ReportState
    recommendation_key: str
    recommendation_text: str
    kind: Kind
    focus_area: str
    colour: Colour | None
    opted_out: bool
    opt_out_reason: str
    remark: str
    confirmed: bool | None  # None: the report is not started
    updated_by: str | None
    updated_at: datetime | None


@dataclass(frozen=True)
class Export:
    """A titled table of statuses, and the name its file should get."""

    title: str
    file_stem: str
    rows: list[ExportRow]


def round_export(session: Session, actor: Actor, kkr_id: int, year: int) -> Export:
    """Every municipality of the KKR's round for ``year`` whose report the actor may read, in
    Danish alphabetical order, each with every recommendation of the year in catalogue order."""
    kkr = session.get(Kkr, kkr_id)
    if kkr is None:
        raise NotFound("KKR'en findes ikke.")
    reporting_round = get_round(session, kkr_id, year)
    municipalities = session.exec(select(Municipality).where(Municipality.kkr_id == kkr_id)).all()
    reports = {
        report.municipality_code: report
        for report in session.exec(select(StatusReport).where(StatusReport.round_id == reporting_round.id))
    }
    visible = [
        m
        for m in sorted(municipalities, key=lambda m: danish_sort_key(m.name))
        if is_allowed(actor, Action.VIEW_REPORT, scope_of(m, reports.get(m.code)))
    ]
    catalogue = session.get(Catalogue, reporting_round.catalogue_id)
    assert catalogue is not None
    tree = build_tree(session, catalogue, kkr, year=year)
    areas = {rows.area.id: rows.area.title for rows in tree.focus_areas}
    report_ids = [reports[m.code].id for m in visible if m.code in reports]
    entries: dict[tuple[int, int], tuple[StatusEntry, str | None]] = {
        (entry.report_id, entry.recommendation_id): (entry, name)
        for entry, name in session.exec(
            select(StatusEntry, User.name)
            .outerjoin(User, col(User.id) == StatusEntry.updated_by_id)
            .where(col(StatusEntry.report_id).in_(report_ids))
        )
    }
    rows = []
    for municipality in visible:
        report = reports.get(municipality.code)
        for rec in tree.recommendations:
            assert rec.id is not None
            found = entries.get((report.id or 0, rec.id)) if report else None
            entry, name = found if found else (None, None)
            rows.append(
                ExportRow(
                    municipality_code=municipality.code,
                    municipality=municipality.name,
                    report_state=state_of(report),
                    recommendation_key=rec.key,
                    recommendation_text=rec.text,
                    kind=rec.kind,
                    focus_area=areas[rec.focus_area_id],
                    colour=entry.colour if entry else None,
                    opted_out=entry.opted_out if entry else False,
                    opt_out_reason=entry.opt_out_reason if entry else "",
                    remark=entry.remark if entry else "",
                    confirmed=entry.confirmed if entry else None,
                    updated_by=name,
                    updated_at=entry.updated_at if entry else None,
                )
            )
    return Export(f"{kkr.name}: status for {year}", f"fremdrift-{_slug(kkr.name)}-{year}", rows)


def report_export(session: Session, actor: Actor, municipality_code: int, year: int) -> Export:
    """One municipality's report for ``year``, for whoever may read it."""
    page = load_report_page(session, actor, municipality_code, year)
    areas = {rows.area.id: rows.area.title for rows in page.tree.focus_areas}
    rows = [
        ExportRow(
            municipality_code=page.municipality.code,
            municipality=page.municipality.name,
            report_state=page.state,
            recommendation_key=row.recommendation.key,
            recommendation_text=row.recommendation.text,
            kind=row.recommendation.kind,
            focus_area=areas[row.recommendation.focus_area_id],
            colour=row.entry.colour if row.entry else None,
            opted_out=row.entry.opted_out if row.entry else False,
            opt_out_reason=row.entry.opt_out_reason if row.entry else "",
            remark=row.entry.remark if row.entry else "",
            confirmed=row.entry.confirmed if row.entry else None,
            updated_by=row.updated_by,
            updated_at=row.entry.updated_at if row.entry else None,
        )
        for row in page.rows.values()
    ]
    name = page.municipality.name
    return Export(f"{name} Kommune: status for {year}", f"fremdrift-{_slug(name)}-{year}", rows)


# ---------------------------------------------------------------------------- the offline workbook


@dataclass(frozen=True)
class OfflineRow:
    """A row of the workbook to fill in: the recommendation, what the report holds now, the ids
    and version the import checks, and last year's status beside it."""

    entry_id: int
    version: int
    key: str
    kind: Kind
    focus_area: str
    text: str
    colour: Colour | None
    remark: str
    opted_out: bool
    opt_out_reason: str
    may_opt_out: bool
    previous: list[PreviousStatus]


@dataclass(frozen=True)
class OfflineWorkbook:
    """Everything the workbook for one municipality and year holds."""

    municipality_code: int
    municipality: str
    kkr: str
    year: int
    deadline_iso: str
    round_id: int
    report_id: int
    catalogue_title: str
    colour_meanings: dict[Colour, str]
    rows: list[OfflineRow]

    @property
    def file_name(self) -> str:
        return f"fremdriftsskema-{_slug(self.municipality)}-{self.year}.xlsx"


def offline_workbook(session: Session, actor: Actor, municipality_code: int, year: int) -> OfflineWorkbook:
    """The workbook to fill in offline: only for those who may edit the report, once it is started
    and while its rows are open."""
    page = load_report_page(session, actor, municipality_code, year)
    require(actor, Action.EDIT_REPORT, scope_of(page.municipality, page.report))
    return _offline_from_page(page)


def _offline_from_page(page: ReportPage) -> OfflineWorkbook:
    report = page.report
    if report is None or report.id is None:
        raise NotAllowedNow("Statusrapporten er ikke startet. Start den først, og hent så projektmappen.")
    if (locked := rows_locked(page.round, report)) is not None:
        raise locked
    assert page.round.id is not None
    areas = {rows.area.id: rows.area.title for rows in page.tree.focus_areas}
    rows = []
    for row in page.rows.values():
        entry = row.entry
        if entry is None or entry.id is None:
            continue
        rows.append(
            OfflineRow(
                entry_id=entry.id,
                version=entry.version,
                key=row.recommendation.key,
                kind=row.recommendation.kind,
                focus_area=areas[row.recommendation.focus_area_id],
                text=row.recommendation.text,
                colour=entry.colour,
                remark=entry.remark,
                opted_out=entry.opted_out,
                opt_out_reason=entry.opt_out_reason,
                may_opt_out=row.may_opt_out,
                previous=row.previous,
            )
        )
    meanings = page.tree.colour_meanings
    return OfflineWorkbook(
        municipality_code=page.municipality.code,
        municipality=page.municipality.name,
        kkr=page.kkr.name,
        year=page.year,
        deadline_iso=page.round.deadline.isoformat(),
        round_id=page.round.id,
        report_id=report.id,
        catalogue_title=page.tree.catalogue.title,
        colour_meanings={colour: meanings[colour.value] for colour in Colour},
        rows=rows,
    )


def _slug(name: str) -> str:
    table = str.maketrans({"æ": "ae", "ø": "oe", "å": "aa", " ": "-"})
    return "".join(c for c in name.lower().translate(table) if c.isascii() and (c.isalnum() or c == "-"))
