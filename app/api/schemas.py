"""What goes out of and comes into the API. Explicit shapes, so no column leaks by accident."""

from datetime import date, datetime

from pydantic import BaseModel, Field

from app.domain.reports.rules import Missing
from app.domain.statuses import MAX_REMARK_LENGTH


class GuidelineOut(BaseModel):
    id: str
    title: str
    text: str


class RecommendationOut(BaseModel):
    id: str
    kind: str
    text: str
    first_year: int
    last_year: int | None
    replaces: list[str]


class FocusAreaOut(BaseModel):
    id: str
    title: str
    intro: str
    recommendations: list[RecommendationOut]


class CatalogueSummary(BaseModel):
    id: str
    kkr: str
    title: str
    adopted: date


class CatalogueOut(CatalogueSummary):
    colours: dict[str, str]
    guidelines: list[GuidelineOut]
    focus_areas: list[FocusAreaOut]


class PreviousOut(BaseModel):
    recommendation_id: str
    colour: str | None
    remark: str
    opted_out: bool


class EntryOut(BaseModel):
    entry_id: int
    recommendation_id: str
    kind: str
    colour: str | None
    remark: str
    opted_out: bool
    opt_out_reason: str
    confirmed: bool
    version: int
    updated_at: datetime | None
    updated_by: str | None
    previous: list[PreviousOut]


class MissingOut(BaseModel):
    recommendation_id: str
    message: str


def missing_out(missing: list[Missing]) -> list[MissingOut]:
    return [MissingOut(recommendation_id=m.recommendation_key, message=m.message) for m in missing]


class ReportOut(BaseModel):
    municipality_code: int
    municipality: str
    year: int
    round_state: str
    report_id: int | None
    state: str  # not_started | in_progress | submitted
    version: int | None
    submitted_at: datetime | None
    committee_name: str
    committee_date: date | None
    agenda_url: str
    editable: bool
    entries: list[EntryOut]
    missing: list[MissingOut]


class ReportStateOut(BaseModel):
    """What submit, reopen and the committee record answer: the report's state after the action."""

    report_id: int
    state: str
    version: int
    committee_name: str
    committee_date: date | None


class EntryIn(BaseModel):
    colour: str | None = Field(default=None, description="green, yellow, red or null")
    remark: str = Field(default="", max_length=MAX_REMARK_LENGTH * 10)
    opted_out: bool = False
    opt_out_reason: str = Field(default="", max_length=MAX_REMARK_LENGTH * 10)
    version: int = Field(description="The version of the row this change is based on.")


class StartIn(BaseModel):
    carry_over: bool = False


class ConfirmUnchangedIn(BaseModel):
    versions: dict[int, int] = Field(
        description="For each row carried over and not yet confirmed (entry_id), the version you saw."
    )


class CommitteeIn(BaseModel):
    committee_name: str = Field(max_length=2000)
    committee_date: date | None
    agenda_url: str = Field(default="", max_length=5000)
    version: int


class ReopenIn(BaseModel):
    reason: str = Field(default="", max_length=20_000)


class HistoryOut(BaseModel):
    version: int
    field: str
    old_value: str | None
    new_value: str | None
    changed_at: datetime
    changed_by: str | None


class MeOut(BaseModel):
    email: str
    name: str
    role: str
    kkr_id: int | None
    municipality_code: int | None
    csrf_token: str


class ImportOut(BaseModel):
    """What an import of the offline workbook did (recommendation ids)."""

    changed: list[str]
    unchanged: int
    kept_online: list[str]
