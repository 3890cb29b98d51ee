"""The coordinator's texts for a round's consolidated report: a summary, observations per focus
area, proposed adjustments and new recommendations. Plain text with paragraphs (a blank line
between them), saved as they are written, with the same version check and CPR guard as the rows.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from app.domain.access import Action, Actor, RoundScope, require_for_round
from app.domain.catalogue_queries import CatalogueTree, build_tree
from app.domain.documents.renders import KKR, request_render
from app.domain.errors import Conflict, InvalidInput, NotAllowedNow, NotFound
from app.domain.text import clean_text
from app.domain.vocabulary import RoundState
from app.models import Catalogue, Kkr, ReportingRound, RoundText

MAX_TEXT_LENGTH = 20_000
SUMMARY = "summary"
ADJUSTMENTS = "adjustments"
NEW_RECOMMENDATIONS = "new"
AREA_PREFIX = "area:"


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    help: str


def sections_of(tree: CatalogueTree) -> list[Section]:
    """The texts a round's report has, in the order the report prints them."""
    areas = [
        Section(
            f"{AREA_PREFIX}{rows.area.key}",
            f"Iagttagelser: {rows.area.title}",
            "Hvad viser kommunernes status og bemærkninger inden for fokusområdet?",
        )
        for rows in tree.focus_areas
    ]
    return [
        Section(SUMMARY, "Sammenfatning", "Koordinationsgruppens sammenfatning af årets status til KKR."),
        *areas,
        Section(
            ADJUSTMENTS,
            "Forslag til justeringer af anbefalingerne",
            "Udkast til justeringer med en tidshorisont på to år.",
        ),
        Section(NEW_RECOMMENDATIONS, "Forslag til nye anbefalinger", "Udkast til nye anbefalinger."),
    ]


def paragraphs(text: str) -> list[str]:
    """A text's paragraphs: separated by blank lines; single line breaks stay inside one."""
    return [part.strip() for part in text.replace("\r\n", "\n").split("\n\n") if part.strip()]


def round_texts(session: Session, round_id: int) -> dict[str, RoundText]:
    return {text.section: text for text in session.exec(select(RoundText).where(RoundText.round_id == round_id))}


def texts_refused(reporting_round: ReportingRound) -> NotAllowedNow | None:
    """Why the texts cannot change now, or None: a published round's report is frozen."""
    if reporting_round.state == RoundState.PUBLISHED:
        return NotAllowedNow("Runden er offentliggjort; rapportens tekster kan ikke længere ændres.")
    return None


@dataclass(frozen=True)
class SavedText:
    """A text as it stands in the database: what a conflict shows the writer who lost the race."""

    text: str
    version: int


class TextConflict(Conflict):
    """The text was saved by someone else since the writer loaded it; ``theirs`` is their text."""

    def __init__(self, current: RoundText) -> None:
        theirs = SavedText(current.text, current.version)
        super().__init__(
            "Teksten er ændret af en anden, mens du skrev. Din ændring er ikke gemt: "
            "se den gemte tekst, og gem igen, hvis din skal gælde.",
            current={"text": theirs.text, "version": theirs.version},  # for the API
            field="text",
        )
        self.theirs = theirs


def save_text(
    session: Session,
    actor: Actor,
    reporting_round: ReportingRound,
    section: str,
    text: str,
    *,
    version: int,
    valid_sections: set[str],
    now: datetime,
) -> RoundText:
    """Save one of the round's texts if it is still the version the writer saw (0: not yet
    written). Refused with the other person's text on a conflict; a save that changes nothing
    writes nothing."""
    assert reporting_round.id is not None
    require_for_round(
        actor,
        Action.WRITE_ROUND_TEXTS,
        RoundScope(reporting_round.kkr_id, reporting_round.state == RoundState.PUBLISHED),
    )
    if section not in valid_sections:
        raise InvalidInput("Ukendt tekstafsnit.", field="section")
    if (refusal := texts_refused(reporting_round)) is not None:
        raise refusal
    cleaned = clean_text(text, field="text", label="Teksten", max_length=MAX_TEXT_LENGTH)
    current = round_texts(session, reporting_round.id).get(section)
    if current is None:
        if version != 0:
            raise InvalidInput("Teksten findes ikke i den version, du sendte. Genindlæs siden.", field="text")
        created = RoundText(
            round_id=reporting_round.id,
            section=section,
            text=cleaned,
            version=1,
            updated_at=now,
            updated_by_id=actor.user_id,
        )
        session.add(created)
        try:
            session.flush()
        except IntegrityError:  # someone else wrote the first version a moment ago
            raise InvalidInput("Teksten blev gemt af en anden samtidig. Genindlæs siden.", field="text") from None
        request_render(session, reporting_round.id, KKR, now=now)
        return created
    if current.version != version:
        raise TextConflict(current)
    if current.text == cleaned:
        return current
    result = session.execute(
        update(RoundText)
        .where(col(RoundText.id) == current.id, col(RoundText.version) == version)
        .values(text=cleaned, version=version + 1, updated_at=now, updated_by_id=actor.user_id)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]  # another process got in first
        session.refresh(current)
        raise TextConflict(current)
    request_render(session, reporting_round.id, KKR, now=now)
    session.flush()
    return current


@dataclass(frozen=True)
class TextField:
    section: Section
    text: str
    version: int  # 0: not written yet
    updated_at: datetime | None

    @property
    def slug(self) -> str:
        return self.section.key.replace(":", "-")


@dataclass(frozen=True)
class RoundTextsPage:
    round: ReportingRound
    kkr_name: str
    fields: list[TextField]
    refusal: NotAllowedNow | None  # why the texts cannot change now


def _round_and_tree(session: Session, round_id: int) -> tuple[ReportingRound, CatalogueTree]:
    reporting_round = session.get(ReportingRound, round_id)
    if reporting_round is None:
        raise NotFound("Opfølgningsrunden findes ikke.")
    catalogue = session.get(Catalogue, reporting_round.catalogue_id)
    kkr = session.get(Kkr, reporting_round.kkr_id)
    assert catalogue is not None and kkr is not None
    return reporting_round, build_tree(session, catalogue, kkr, year=reporting_round.year)


def round_text_form(session: Session, actor: Actor, round_id: int) -> RoundTextsPage:
    """The coordinator's page of texts for a round, if they may write them."""
    reporting_round, tree = _round_and_tree(session, round_id)
    require_for_round(
        actor,
        Action.WRITE_ROUND_TEXTS,
        RoundScope(reporting_round.kkr_id, reporting_round.state == RoundState.PUBLISHED),
    )
    saved = round_texts(session, round_id)
    fields = []
    for section in sections_of(tree):
        text = saved.get(section.key)
        fields.append(
            TextField(
                section, text.text if text else "", text.version if text else 0, text.updated_at if text else None
            )
        )
    return RoundTextsPage(reporting_round, tree.kkr.name, fields, texts_refused(reporting_round))


def save_round_text(
    session: Session, actor: Actor, round_id: int, section: str, text: str, *, version: int, now: datetime
) -> RoundText:
    """``save_text`` for the round ``round_id``, with the sections its catalogue gives it."""
    reporting_round, tree = _round_and_tree(session, round_id)
    valid = {item.key for item in sections_of(tree)}
    return save_text(session, actor, reporting_round, section, text, version=version, valid_sections=valid, now=now)
