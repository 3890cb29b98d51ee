"""The API's one error shape, documented in its OpenAPI, and pydantic's messages in Danish.

Every error the API answers (a rule's refusal, a conflict, a malformed request, a missing log-in,
a body too large, a server error) is an ``ApiError``: ``detail`` is a Danish sentence for a
person, ``code`` a stable name for a program (the DomainError's class name), ``field`` the field
it concerns (if one), and ``problems`` each malformed field of a 422. A few errors carry more, each
in a field of its own that is absent otherwise: ``current`` (a conflict: the saved values),
``missing`` (a refused submit: what is missing) and ``conflicts`` (an import: each row changed
online, both values). ``domain_error_body`` is the one place a DomainError becomes that shape.
"""

from typing import Any

from pydantic import BaseModel, Field

from app.api.schemas import MissingOut, missing_out
from app.domain.errors import Conflict, DomainError
from app.domain.imports import ImportConflict, ImportConflicts, ImportRefused
from app.domain.imports import Problem as WorkbookProblem
from app.domain.reports.rules import SubmitIncomplete


class Problem(BaseModel):
    field: str = Field(description="Feltet, fx 'version' eller 'path.entry_id'; ved en projektmappe: hvor i den.")
    message: str = Field(description="Hvad der er galt, på dansk.")
    # Set when the problem is in an uploaded workbook (the import): where, as Excel names it.
    sheet: str | None = Field(default=None, description="Arket, ved en projektmappe.")
    row: int | None = Field(default=None, description="Rækken i arket, ved en projektmappe.")
    column: str | None = Field(default=None, description="Kolonnen (bogstav), ved en projektmappe.")


class ImportedValuesOut(BaseModel):
    """A row's values as the workbook has them."""

    colour: str | None = Field(description="grøn, gul eller rød (green/yellow/red), eller tom.")
    remark: str
    opted_out: bool
    opt_out_reason: str


class SavedValuesOut(ImportedValuesOut):
    """A row's values as saved online, with the version to decide against and who saved it."""

    version: int
    updated_by: str | None


class ImportConflictOut(BaseModel):
    entry_id: int = Field(description="Rækkens id; nøglen i choices.")
    row: int = Field(description="Rækken i arket.")
    recommendation_id: str
    mine: ImportedValuesOut = Field(description="Projektmappens værdi.")
    theirs: SavedValuesOut = Field(description="Den værdi, der er gemt online nu.")


class ApiError(BaseModel):
    detail: str = Field(description="Fejlen, på dansk, til en person.")
    code: str = Field(description="Et fast navn for fejlen, til et program (fx 'RowConflict', 'RequestInvalid').")
    field: str | None = Field(default=None, description="Feltet, fejlen gælder, hvis den gælder ét.")
    problems: list[Problem] = Field(default_factory=list, description="Ved 422: hvert ugyldigt felt.")
    current: dict[str, Any] | None = Field(default=None, description="Ved 409: rækkens gemte værdier nu.")
    missing: list[MissingOut] | None = Field(default=None, description="Ved indsendelse: det, der mangler.")
    conflicts: list[ImportConflictOut] | None = Field(
        default=None, description="Ved indlæsning af en projektmappe (409): hver række, der er ændret online."
    )


ERROR_DESCRIPTIONS = {
    400: "Anmodningen kunne ikke læses.",
    401: "Log ind først.",
    403: "Ingen adgang, eller sikkerhedsnøglen (CSRF) mangler.",
    404: "Findes ikke.",
    409: "Ændret af en anden, eller ikke tilladt i den nuværende tilstand.",
    413: "Anmodningen er for stor.",
    422: "Ugyldige felter, eller en regel afviste ændringen.",
    429: "For mange forsøg.",
    500: "Uventet fejl på serveren.",
    503: "Serveren er optaget; prøv igen om lidt.",
}
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ApiError, "description": description} for status, description in ERROR_DESCRIPTIONS.items()
}

HTTP_MESSAGES = {
    400: "Anmodningens indhold kunne ikke læses.",
    401: "Log ind først.",
    403: "Du har ikke adgang.",
    404: "Findes ikke.",
    405: "Metoden er ikke tilladt her.",
}
HTTP_CODES = {400: "BadRequest", 401: "LoginRequired", 403: "Forbidden", 404: "NotFound", 405: "MethodNotAllowed"}

# pydantic's error types (https://docs.pydantic.dev/latest/errors/validation_errors/) in Danish.
_MESSAGES = {
    "missing": "skal udfyldes",
    "int_parsing": "skal være et heltal",
    "int_type": "skal være et heltal",
    "int_from_float": "skal være et heltal",
    "float_parsing": "skal være et tal",
    "float_type": "skal være et tal",
    "greater_than_equal": "skal være mindst {ge}",
    "greater_than": "skal være større end {gt}",
    "less_than_equal": "må højst være {le}",
    "less_than": "skal være mindre end {lt}",
    "string_type": "skal være tekst",
    "string_too_long": "må højst være {max_length} tegn",
    "string_too_short": "skal være mindst {min_length} tegn",
    "string_pattern_mismatch": "har ikke det rigtige format",
    "bool_parsing": "skal være sand eller falsk (true/false)",
    "bool_type": "skal være sand eller falsk (true/false)",
    "date_parsing": "skal være en dato (ÅÅÅÅ-MM-DD)",
    "date_type": "skal være en dato (ÅÅÅÅ-MM-DD)",
    "date_from_datetime_parsing": "skal være en dato (ÅÅÅÅ-MM-DD)",
    "date_from_datetime_inexact": "skal være en dato uden klokkeslæt (ÅÅÅÅ-MM-DD)",
    "datetime_parsing": "skal være et tidspunkt (ISO 8601)",
    "datetime_type": "skal være et tidspunkt (ISO 8601)",
    "datetime_from_date_parsing": "skal være et tidspunkt (ISO 8601)",
    "enum": "skal være en af: {expected}",
    "literal_error": "skal være en af: {expected}",
    "json_invalid": "er ikke gyldig JSON",
    "json_type": "er ikke gyldig JSON",
    "model_attributes_type": "skal være et JSON-objekt",
    "model_type": "skal være et JSON-objekt",
    "dict_type": "skal være et JSON-objekt",
    "list_type": "skal være en liste",
    "too_long": "har for mange elementer",
    "too_short": "har for få elementer",
    "extra_forbidden": "er ikke et kendt felt",
    "url_parsing": "skal være en gyldig webadresse",
    "url_type": "skal være en gyldig webadresse",
    "url_scheme": "skal være en webadresse med http eller https",
    "url_too_long": "er en for lang webadresse",
}
_FALLBACK = "har en ugyldig værdi"


def _danish_ctx(value: object) -> str:
    return str(value).replace(" or ", " eller ")


def danish_message(error: dict[str, Any]) -> str:
    """One of pydantic's errors as a Danish phrase, without the field's name."""
    template = _MESSAGES.get(str(error.get("type")), _FALLBACK)
    ctx = {key: _danish_ctx(value) for key, value in (error.get("ctx") or {}).items()}
    try:
        return template.format(**ctx)
    except (KeyError, IndexError):
        return _FALLBACK


def field_name(loc: tuple[Any, ...] | list[Any]) -> str:
    """'version' for a body or form field, 'path.entry_id' for a path parameter."""
    where, *rest = loc or ("body",)
    name = ".".join(str(part) for part in rest)
    if where in ("path", "query", "header", "cookie"):
        return f"{where}.{name}" if name else str(where)
    return name or "(indhold)"


def problems_of(errors: list[dict[str, Any]]) -> list[Problem]:
    return [Problem(field=field_name(tuple(item.get("loc", ()))), message=danish_message(item)) for item in errors]


def summary(problems: list[Problem]) -> str:
    return "Ugyldig anmodning: " + "; ".join(f"{p.field} {p.message}" for p in problems) + "."


def api_error(detail: str, code: str, **extra: Any) -> dict[str, Any]:
    return ApiError(detail=detail, code=code, **extra).model_dump(mode="json", exclude_none=True)


def workbook_problem(problem: WorkbookProblem) -> Problem:
    return Problem(
        field=str(problem), message=problem.message, sheet=problem.sheet, row=problem.row, column=problem.column
    )


def import_conflict_out(conflict: ImportConflict) -> ImportConflictOut:
    mine, theirs = conflict.mine, conflict.theirs
    return ImportConflictOut(
        entry_id=conflict.entry_id,
        row=conflict.row,
        recommendation_id=conflict.key,
        mine=ImportedValuesOut(
            colour=mine.colour.value if mine.colour else None,
            remark=mine.remark,
            opted_out=mine.opted_out,
            opt_out_reason=mine.opt_out_reason,
        ),
        theirs=SavedValuesOut(
            colour=theirs.colour.value if theirs.colour else None,
            remark=theirs.remark,
            opted_out=theirs.opted_out,
            opt_out_reason=theirs.opt_out_reason,
            version=theirs.version,
            updated_by=theirs.updated_by,
        ),
    )


def domain_error_body(error: DomainError) -> dict[str, Any]:
    """A rule's refusal as the one error shape, with whatever that kind of refusal carries."""
    extra: dict[str, Any] = {}
    if isinstance(error, Conflict):
        extra["current"] = error.current
    if isinstance(error, ImportConflicts):
        extra["conflicts"] = [import_conflict_out(c) for c in error.conflicts]
    if isinstance(error, ImportRefused):
        extra["problems"] = [workbook_problem(p) for p in error.problems]
    if isinstance(error, SubmitIncomplete):
        extra["missing"] = missing_out(error.missing)
    return api_error(error.message, type(error).__name__, field=error.field, **extra)
