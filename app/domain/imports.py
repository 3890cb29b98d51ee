"""A filled-in offline workbook back into a status report: the same report commands as the form.

The workbook's rows arrive as plain cells (``app.spreadsheets`` reads the file); everything in
them, the hidden ids and versions included, is user input. The import is all-or-nothing: every
problem is collected and reported with its sheet, row and column before anything is written, and
the rows are then saved one by one through ``save_entry`` in the caller's one write transaction,
so the version check and the history are the form's own. A row that changed online after the
workbook was made is not overwritten: the import stops and shows both values, and the user
chooses per row (``Choice``), as after a conflict on the form.
"""

import json
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Literal

from sqlmodel import Session, col, select

from app.domain.access import Action, Actor, require
from app.domain.errors import Conflict, DomainError, InvalidInput, NotAllowedNow
from app.domain.reports.commands import (
    EntryInput,
    EntrySnapshot,
    RowConflict,
    checked_values,
    save_entry,
    snapshot_of,
)
from app.domain.reports.queries import ReportAddress, get_report_address
from app.domain.reports.rules import rows_locked, scope_of
from app.domain.vocabulary import Colour
from app.models import Recommendation, StatusEntry

FORMAT = "fremdrift-skema-1"
YES = "ja"
_COLOUR_WORDS = {colour.label.lower(): colour.value for colour in Colour}
_YES_WORDS = {"ja", "x", "sand", "true"}
_NO_WORDS = {"", "nej", "falsk", "false"}


# ---------------------------------------------------------------------------- what comes in


@dataclass(frozen=True)
class Cell:
    """One cell as the user left it, with where it is, so a problem can point at it."""

    sheet: str
    row: int
    column: str  # the column letter, as Excel shows it
    heading: str
    value: str


@dataclass(frozen=True)
class WorkbookRow:
    """One recommendation's row of the Fremdriftsskema sheet."""

    row: int
    entry_id: Cell
    version: Cell
    key: Cell
    colour: Cell
    remark: Cell
    opted_out: Cell
    opt_out_reason: Cell


@dataclass(frozen=True)
class FilledWorkbook:
    """The offline workbook as the user sent it back: which report it claims to be, and its rows."""

    sheet: str
    format: Cell
    municipality_code: Cell
    year: Cell
    round_id: Cell
    report_id: Cell
    rows: list[WorkbookRow]

    def to_json(self) -> str:
        """The workbook's content as text, so a page can carry it to the user's choice after a
        conflict without keeping anything on the server. It is read back as user input again."""
        return json.dumps(asdict(self), ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str) -> "FilledWorkbook":
        try:
            data = json.loads(text)
            rows = [
                WorkbookRow(row=int(row.pop("row")), **{name: Cell(**cell) for name, cell in row.items()})
                for row in data.pop("rows")
            ]
            sheet = str(data.pop("sheet"))
            cells = {name: Cell(**cell) for name, cell in data.items()}
            return cls(sheet=sheet, rows=rows, **cells)
        except (ValueError, TypeError, KeyError, AttributeError):
            raise ImportRefused([Problem(None, None, None, "", UNREADABLE_PENDING)]) from None


UNREADABLE_PENDING = "Indlæsningen kunne ikke genoptages. Indlæs projektmappen igen."


@dataclass(frozen=True)
class Choice:
    """After a conflict: keep the workbook's value (``mine``) or the one saved online (``theirs``),
    decided against the online ``version`` the user saw."""

    keep: Literal["mine", "theirs"]
    version: int


# ---------------------------------------------------------------------------- what goes out


@dataclass(frozen=True)
class Problem:
    """Why the import was refused, and where: sheet, row and column (None for the whole file)."""

    sheet: str | None
    row: int | None
    column: str | None
    heading: str
    message: str

    def __str__(self) -> str:
        where = [part for part in (self.sheet, self.row and f"række {self.row}") if part]
        if self.column:
            where.append(f"kolonne {self.column}" + (f" ({self.heading})" if self.heading else ""))
        return f"{', '.join(where)}: {self.message}" if where else self.message


def problem_at(cell: Cell, message: str) -> Problem:
    return Problem(cell.sheet, cell.row, cell.column, cell.heading, message)


class ImportRefused(DomainError):
    """The workbook was refused and nothing was written; ``problems`` says every reason and where."""

    status_code = 422

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(f"Projektmappen er ikke indlæst, og intet er gemt ({len(problems)} fejl).")
        self.problems = problems


@dataclass(frozen=True)
class RowValues:
    colour: Colour | None
    remark: str
    opted_out: bool
    opt_out_reason: str


@dataclass(frozen=True)
class ImportConflict:
    """A row changed online after the workbook was made: the workbook's value and the saved one."""

    entry_id: int
    row: int
    key: str
    text: str
    mine: RowValues
    theirs: EntrySnapshot


class ImportConflicts(Conflict):
    """Rows changed online since the workbook was made; nothing is written until the user chooses."""

    def __init__(self, conflicts: list[ImportConflict], workbook: FilledWorkbook) -> None:
        count = len(conflicts)
        super().__init__(
            f"{count} {'række er' if count == 1 else 'rækker er'} ændret online, efter projektmappen blev hentet. "
            "Intet er gemt endnu: vælg for hver række, hvilken værdi der skal gælde.",
            current={str(c.entry_id): {"version": c.theirs.version} for c in conflicts},
        )
        self.conflicts = conflicts
        self.workbook = workbook


@dataclass
class ImportResult:
    """What the import did: rows changed, rows that already held the workbook's values, and rows
    where the user kept the value saved online."""

    municipality_code: int
    year: int
    changed: list[str] = field(default_factory=list)  # recommendation keys
    unchanged: int = 0
    kept_online: list[str] = field(default_factory=list)


# ---------------------------------------------------------------------------- the import


@dataclass(frozen=True)
class _Planned:
    cell_row: WorkbookRow
    entry: StatusEntry
    recommendation: Recommendation
    data: EntryInput
    values: dict[str, object]


def import_target(session: Session, actor: Actor, municipality_code: int, year: int) -> ReportAddress:
    """The report a workbook may be imported into: the actor may edit it and its rows are open."""
    address = get_report_address(session, municipality_code, year)
    require(actor, Action.EDIT_REPORT, scope_of(address.municipality, address.report))
    if address.report is None:
        raise NotAllowedNow("Statusrapporten er ikke startet. Start den på siden, og hent så projektmappen.")
    if (locked := rows_locked(address.round, address.report)) is not None:
        raise locked
    return address


def import_workbook(
    session: Session,
    actor: Actor,
    municipality_code: int,
    year: int,
    workbook: FilledWorkbook,
    *,
    choices: dict[int, Choice] | None = None,
    now: datetime,
) -> ImportResult:
    """Save every row of ``workbook`` into the municipality's report for ``year``, or nothing.

    Refused (``ImportRefused``, with every problem) when the workbook belongs to another
    municipality, year, round or report, when a row is missing, extra, repeated or its hidden ids
    were edited, or when a value breaks the form's rules. Rows changed online since the workbook
    was made raise ``ImportConflicts`` unless ``choices`` settles each of them.
    """
    address = import_target(session, actor, municipality_code, year)
    report = address.report
    assert report is not None and report.id is not None
    problems = _identity_problems(workbook, address)
    if problems:
        raise ImportRefused(problems)

    entries = {
        entry.id: (entry, rec)
        for entry, rec in session.exec(
            select(StatusEntry, Recommendation)
            .join(Recommendation, col(Recommendation.id) == StatusEntry.recommendation_id)
            .where(StatusEntry.report_id == report.id)
            .order_by(col(Recommendation.position))
        )
    }
    planned: list[_Planned] = []
    seen: set[int] = set()
    for row in workbook.rows:
        found = _row_identity(row, entries, seen, problems)
        if found is None:
            continue
        entry, rec, version = found
        colour = _colour(row.colour, problems)
        opted_out = _yes_no(row.opted_out, problems)
        if colour is None or opted_out is None:
            continue
        data = EntryInput(colour or None, row.remark.value, opted_out, row.opt_out_reason.value, version)
        values, refused = checked_values(rec.kind, data)
        for error in refused:
            problems.append(problem_at(_cell_of(row, error), error.message))
        if not refused:
            planned.append(_Planned(row, entry, rec, data, values))
    for entry_id, (_entry, rec) in entries.items():
        if entry_id not in seen:
            problems.append(
                Problem(
                    workbook.sheet,
                    None,
                    None,
                    "",
                    f"Rækken for anbefaling {rec.key} mangler. Hent en ny projektmappe, og udfyld den.",
                )
            )
    if problems:
        raise ImportRefused(problems)
    return _apply(session, actor, address, workbook, planned, choices or {}, now)


def _apply(
    session: Session,
    actor: Actor,
    address: ReportAddress,
    workbook: FilledWorkbook,
    planned: list[_Planned],
    choices: dict[int, Choice],
    now: datetime,
) -> ImportResult:
    result = ImportResult(address.municipality.code, address.round.year)
    conflicts: list[ImportConflict] = []
    to_save: list[tuple[_Planned, int]] = []
    for plan in planned:
        entry = plan.entry
        assert entry.id is not None
        same = all(getattr(entry, name) == value for name, value in plan.values.items())
        if same:
            result.unchanged += 1
            continue
        if plan.data.version == entry.version:
            to_save.append((plan, entry.version))
            continue
        choice = choices.get(entry.id)
        if choice is not None and choice.version == entry.version:
            if choice.keep == "theirs":
                result.kept_online.append(plan.recommendation.key)
            else:
                to_save.append((plan, entry.version))
            continue
        conflicts.append(_conflict(session, plan))
    if conflicts:
        raise ImportConflicts(conflicts, workbook)
    for plan, version in to_save:
        assert plan.entry.id is not None
        data = EntryInput(plan.data.colour, plan.data.remark, plan.data.opted_out, plan.data.opt_out_reason, version)
        try:
            saved = save_entry(session, actor, plan.entry.id, data, now=now)
        except RowConflict:  # another process saved the row a moment ago: refuse it all
            session.refresh(plan.entry)
            raise ImportConflicts([_conflict(session, plan)], workbook) from None
        if saved.changed:
            result.changed.append(plan.recommendation.key)
    return result


def _conflict(session: Session, plan: _Planned) -> ImportConflict:
    entry = plan.entry
    assert entry.id is not None
    values = plan.values
    colour = values["colour"]
    return ImportConflict(
        entry_id=entry.id,
        row=plan.cell_row.row,
        key=plan.recommendation.key,
        text=plan.recommendation.text,
        mine=RowValues(
            colour if isinstance(colour, Colour) else None,
            str(values["remark"]),
            bool(values["opted_out"]),
            str(values["opt_out_reason"]),
        ),
        theirs=snapshot_of(session, entry),
    )


# ---------------------------------------------------------------------------- checks


def _identity_problems(workbook: FilledWorkbook, address: ReportAddress) -> list[Problem]:
    """Is this the workbook of this municipality's report for this year? The hidden cells say so,
    and they are user input like any other."""
    report = address.report
    assert report is not None
    if workbook.format.value != FORMAT:
        return [
            problem_at(
                workbook.format,
                "Filen er ikke en projektmappe fra Fremdrift, eller dens skjulte oplysninger er ændret. "
                "Hent en ny projektmappe.",
            )
        ]
    municipality = address.municipality
    code = _int(workbook.municipality_code.value)
    if code != municipality.code:
        return [
            problem_at(
                workbook.municipality_code,
                f"Projektmappen er til en anden kommune (kommunekode {workbook.municipality_code.value}), "
                f"ikke {municipality.name} Kommune ({municipality.code}).",
            )
        ]
    if _int(workbook.year.value) != address.round.year:
        return [
            problem_at(
                workbook.year,
                f"Projektmappen er til status for {workbook.year.value}, ikke for {address.round.year}.",
            )
        ]
    if _int(workbook.round_id.value) != address.round.id or _int(workbook.report_id.value) != report.id:
        return [
            problem_at(
                workbook.round_id,
                "Projektmappen er fra en anden opfølgningsrunde eller statusrapport. Hent en ny projektmappe.",
            )
        ]
    return []


def _row_identity(
    row: WorkbookRow,
    entries: dict[int | None, tuple[StatusEntry, Recommendation]],
    seen: set[int],
    problems: list[Problem],
) -> tuple[StatusEntry, Recommendation, int] | None:
    entry_id = _int(row.entry_id.value)
    found = entries.get(entry_id) if entry_id is not None else None
    if found is None:
        problems.append(
            problem_at(
                row.entry_id,
                "Rækken hører ikke til denne statusrapport: dens skjulte id er ændret, "
                "eller rækken er kopieret fra en anden projektmappe.",
            )
        )
        return None
    entry, rec = found
    assert entry.id is not None
    if entry.id in seen:
        problems.append(problem_at(row.entry_id, f"Rækken for anbefaling {rec.key} står her for anden gang."))
        return None
    seen.add(entry.id)
    if row.key.value != rec.key:
        problems.append(
            problem_at(
                row.key,
                f"Anbefalingens id passer ikke til rækkens skjulte id (forventede {rec.key}): "
                "rækker eller id'er er flyttet eller ændret.",
            )
        )
        return None
    version = _int(row.version.value)
    if version is None or not 1 <= version <= entry.version:
        problems.append(problem_at(row.version, "Rækkens skjulte version er ændret. Hent en ny projektmappe."))
        return None
    return entry, rec, version


def _colour(cell: Cell, problems: list[Problem]) -> str | None:
    """The colour as a Danish word (grøn, gul, rød) or empty; the form's own message otherwise."""
    word = cell.value.strip().lower()
    if word in ("", *_COLOUR_WORDS):
        return _COLOUR_WORDS.get(word, "")
    problems.append(problem_at(cell, "Vælg grøn, gul eller rød."))
    return None


def _yes_no(cell: Cell, problems: list[Problem]) -> bool | None:
    word = cell.value.strip().lower()
    if word in _YES_WORDS:
        return True
    if word in _NO_WORDS:
        return False
    problems.append(problem_at(cell, f"Skriv {YES} for at fravælge anbefalingen, eller lad feltet stå tomt."))
    return None


def _cell_of(row: WorkbookRow, error: InvalidInput) -> Cell:
    cells: dict[str | None, Cell] = {
        "colour": row.colour,
        "remark": row.remark,
        "opted_out": row.opted_out,
        "opt_out_reason": row.opt_out_reason,
    }
    return cells.get(error.field, row.remark)


def _int(value: str) -> int | None:
    text = value.strip()
    return int(text) if text.isascii() and text.isdigit() else None
