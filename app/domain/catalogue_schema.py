"""The shape of a catalogue file (documented in docs/catalogue.md)."""

import datetime as dt
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from app.domain.vocabulary import Kind

SCHEMA_VERSION = 1

Key = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=80, pattern=r"^[a-z0-9][a-z0-9._-]*$"),
]
Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=5000)]
Year = Annotated[int, Field(ge=2000, le=2100)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Colours(_Strict):
    green: Title = "Igangsat/gennemført som anbefalet"
    yellow: Title = "Delvist igangsat"
    red: Title = "Ikke igangsat"


class GuidelineSpec(_Strict):
    id: Key
    title: Title
    text: Text


class FocusAreaSpec(_Strict):
    id: Key
    title: Title
    intro: Text


class RecommendationSpec(_Strict):
    id: Key
    focus_area: Key
    kind: Kind
    text: Text
    first_year: Year
    last_year: Year | None = None
    replaces: list[Key] = Field(default_factory=list)


class CatalogueSpec(_Strict):
    schema_version: int = Field(alias="schema")
    id: Key
    kkr: Title
    title: Title
    adopted: dt.date
    colours: Colours = Colours()
    guidelines: list[GuidelineSpec] = Field(min_length=1)
    focus_areas: list[FocusAreaSpec] = Field(min_length=1)
    recommendations: list[RecommendationSpec] = Field(min_length=1)
