"""KKRs, municipalities and the catalogues of recommendations."""

from datetime import date, datetime

from sqlalchemy import Column, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.domain.vocabulary import Kind
from app.models.types import EnumText, UTCDateTime


class Kkr(SQLModel, table=True):
    """A Kommunekontaktråd: one per region."""

    __tablename__ = "kkr"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=100, unique=True)


class Municipality(SQLModel, table=True):
    __tablename__ = "municipality"

    # The official three-digit kommunekode (101 København ... 860 Hjørring).
    code: int = Field(primary_key=True)
    name: str = Field(max_length=100, unique=True)
    kkr_id: int = Field(foreign_key="kkr.id", index=True)


class Catalogue(SQLModel, table=True):
    """One edition of one KKR's catalogue, as loaded from a YAML file."""

    __tablename__ = "catalogue"

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=80, unique=True)
    kkr_id: int = Field(foreign_key="kkr.id", index=True)
    title: str = Field(max_length=300)
    adopted_on: date
    colour_green: str = Field(max_length=300)
    colour_yellow: str = Field(max_length=300)
    colour_red: str = Field(max_length=300)
    source_name: str = Field(max_length=300)
    source_sha256: str = Field(max_length=64)
    loaded_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


class Guideline(SQLModel, table=True):
    """A political guideline (politisk pejlemærke)."""

    __tablename__ = "guideline"
    __table_args__ = (UniqueConstraint("catalogue_id", "key"),)

    id: int | None = Field(default=None, primary_key=True)
    catalogue_id: int = Field(foreign_key="catalogue.id", index=True)
    key: str = Field(max_length=80)
    position: int
    title: str = Field(max_length=300)
    text: str = Field(sa_column=Column(Text, nullable=False))


class FocusArea(SQLModel, table=True):
    """A focus area (fokusområde) grouping recommendations."""

    __tablename__ = "focus_area"
    __table_args__ = (UniqueConstraint("catalogue_id", "key"),)

    id: int | None = Field(default=None, primary_key=True)
    catalogue_id: int = Field(foreign_key="catalogue.id", index=True)
    key: str = Field(max_length=80)
    position: int
    title: str = Field(max_length=300)
    intro: str = Field(sa_column=Column(Text, nullable=False))


class Recommendation(SQLModel, table=True):
    """One line of the catalogue (anbefaling). ``key`` is stable for ever once statuses exist."""

    __tablename__ = "recommendation"

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=80, unique=True)
    catalogue_id: int = Field(foreign_key="catalogue.id", index=True)
    focus_area_id: int = Field(foreign_key="focus_area.id", index=True)
    position: int
    kind: Kind = Field(sa_column=Column(EnumText(Kind, 10), nullable=False))
    text: str = Field(sa_column=Column(Text, nullable=False))
    first_year: int
    last_year: int | None = None


class RecommendationReplacement(SQLModel, table=True):
    """A revised recommendation replaces one or more earlier ones (one-to-one, split or merge)."""

    __tablename__ = "recommendation_replacement"

    replaced_id: int = Field(foreign_key="recommendation.id", primary_key=True)
    replacement_id: int = Field(foreign_key="recommendation.id", primary_key=True)
