"""Load a checked catalogue file into the database.

Nothing is written until the file's fit with what the database already holds has been checked
as well; loading happens in the caller's transaction, so an error half-way leaves the database as
it was. Loading the same file again changes nothing, and no status is ever deleted.
"""

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from app.domain.catalogue_file import CatalogueInvalid, CatalogueProblem, ParsedCatalogue
from app.domain.municipalities import find_kkr
from app.models import (
    Catalogue,
    FocusArea,
    Guideline,
    Kkr,
    Recommendation,
    RecommendationReplacement,
    StatusEntry,
)


@dataclass
class LoadSummary:
    catalogue_key: str
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.removed)


def load_catalogue(session: Session, parsed: ParsedCatalogue, *, now: datetime) -> LoadSummary:
    """Create or update the catalogue in ``session``'s transaction.

    Loading the same file again changes nothing. Recommendations are matched on their id; one
    that has statuses is never removed (retire it with ``last_year`` instead).
    """
    spec = parsed.spec
    summary = LoadSummary(catalogue_key=spec.id)
    kkr = find_kkr(session, spec.kkr)
    catalogue = session.exec(select(Catalogue).where(Catalogue.key == spec.id)).first()
    existing_recs: dict[str, Recommendation] = {}
    if catalogue is not None:
        existing_recs = {
            rec.key: rec
            for rec in session.exec(select(Recommendation).where(Recommendation.catalogue_id == catalogue.id))
        }
    _raise_on_conflicts_with_database(session, parsed, kkr, catalogue, existing_recs)
    assert kkr is not None and kkr.id is not None  # checked above

    if catalogue is not None and catalogue.source_sha256 == parsed.sha256:
        return summary

    values: dict[str, Any] = {
        "kkr_id": kkr.id,
        "title": spec.title,
        "adopted_on": spec.adopted,
        "colour_green": spec.colours.green,
        "colour_yellow": spec.colours.yellow,
        "colour_red": spec.colours.red,
    }
    if catalogue is None:
        catalogue = Catalogue(
            key=spec.id,
            source_name=Path(parsed.source_name).name,
            source_sha256=parsed.sha256,
            loaded_at=now,
            **values,
        )
        session.add(catalogue)
        session.flush()
        summary.created.append(f"katalog {spec.id}")
    elif _apply(catalogue, values):
        summary.updated.append(f"katalog {spec.id}")
    assert catalogue.id is not None

    _sync_guidelines(session, catalogue.id, parsed, summary)
    focus_area_ids, dropped_areas = _sync_focus_areas(session, catalogue.id, parsed, summary)
    _sync_recommendations(session, catalogue.id, parsed, existing_recs, focus_area_ids, summary)
    # Focus areas that left the file go once no recommendation points at them any more.
    for area in dropped_areas:
        session.delete(area)
        summary.removed.append(f"fokusområde {area.key}")

    # The file's bytes differ but may describe the same catalogue (a comment changed): only
    # record the new source when something was really loaded from it.
    if summary.changed:
        catalogue.source_sha256 = parsed.sha256
        catalogue.source_name = Path(parsed.source_name).name
        catalogue.loaded_at = now
        session.add(catalogue)
    session.flush()
    return summary


def _raise_on_conflicts_with_database(
    session: Session,
    parsed: ParsedCatalogue,
    kkr: Kkr | None,
    catalogue: Catalogue | None,
    existing_recs: dict[str, Recommendation],
) -> None:
    spec = parsed.spec
    problems: list[CatalogueProblem] = []
    if kkr is None:
        known = ", ".join(session.exec(select(Kkr.name).order_by(Kkr.name)))
        problems.append(
            parsed.problem(
                ("kkr",),
                f"ukendt KKR {spec.kkr!r}; kendte: {known or 'ingen (kør fremdrift db upgrade)'}",
            )
        )
    elif catalogue is not None and catalogue.kkr_id != kkr.id:
        problems.append(parsed.problem(("kkr",), f"kataloget {spec.id!r} hører allerede til en anden KKR"))

    file_keys = {rec.id for rec in spec.recommendations}
    elsewhere = _recommendations_in_other_catalogues(session, file_keys, catalogue)
    for index, rec in enumerate(spec.recommendations):
        if rec.id in elsewhere:
            problems.append(
                parsed.problem(
                    ("recommendations", index, "id"),
                    f"id {rec.id!r} bruges allerede i kataloget {elsewhere[rec.id]!r}; "
                    "et id skal være unikt på tværs af kataloger",
                )
            )

    referenced = {key for rec in spec.recommendations for key in rec.replaces}
    known_keys = file_keys | set(
        session.exec(select(Recommendation.key).where(col(Recommendation.key).in_(referenced - file_keys)))
    )
    # Recommendations of this catalogue that the file leaves out: removed by this load.
    missing = set(existing_recs) - file_keys
    for index, rec in enumerate(spec.recommendations):
        for position, key in enumerate(rec.replaces):
            if key in missing:
                problems.append(
                    parsed.problem(
                        ("recommendations", index, "replaces", position),
                        f"erstatter {key!r}, som mangler i filen; lad den stå (sæt last_year)",
                    )
                )
            elif key not in known_keys:
                problems.append(
                    parsed.problem(
                        ("recommendations", index, "replaces", position),
                        f"erstatter ukendt anbefaling {key!r}",
                    )
                )

    if missing:
        for key, replacement, other in _replaced_from_other_catalogues(session, [existing_recs[k] for k in missing]):
            problems.append(
                parsed.problem(
                    ("recommendations",),
                    f"anbefalingen {key!r} mangler i filen, men erstattes af {replacement!r} i kataloget "
                    f"{other!r}; den kan ikke fjernes (sæt last_year i stedet)",
                )
            )
        in_use = _keys_with_statuses(session, [existing_recs[key] for key in missing])
        for key in sorted(in_use):
            problems.append(
                parsed.problem(
                    ("recommendations",),
                    f"anbefalingen {key!r} mangler i filen, men har statusser; "
                    "den kan ikke fjernes (sæt last_year i stedet)",
                )
            )
    if problems:
        raise CatalogueInvalid(problems)


def _recommendations_in_other_catalogues(
    session: Session, keys: set[str], catalogue: Catalogue | None
) -> dict[str, str]:
    query = (
        select(Recommendation.key, Catalogue.key)
        .join(Catalogue, col(Catalogue.id) == Recommendation.catalogue_id)
        .where(col(Recommendation.key).in_(keys))
    )
    if catalogue is not None:
        query = query.where(Recommendation.catalogue_id != catalogue.id)
    return dict(session.exec(query).all())


def _replaced_from_other_catalogues(session: Session, recs: list[Recommendation]) -> list[tuple[str, str, str]]:
    """(key, replacing key, its catalogue) for each link from another catalogue to one of ``recs``."""
    replacement = aliased(Recommendation)
    query = (
        select(Recommendation.key, replacement.key, Catalogue.key)
        .join(RecommendationReplacement, col(RecommendationReplacement.replaced_id) == Recommendation.id)
        .join(replacement, col(replacement.id) == RecommendationReplacement.replacement_id)
        .join(Catalogue, col(Catalogue.id) == replacement.catalogue_id)
        .where(col(Recommendation.id).in_([rec.id for rec in recs]))
        .where(col(replacement.catalogue_id) != col(Recommendation.catalogue_id))
        .order_by(col(Recommendation.key), col(replacement.key))
    )
    return [(key, by, other) for key, by, other in session.exec(query)]


def _keys_with_statuses(session: Session, recs: list[Recommendation]) -> set[str]:
    by_id = {rec.id: rec.key for rec in recs}
    used = session.exec(
        select(StatusEntry.recommendation_id)
        .where(col(StatusEntry.recommendation_id).in_(by_id))
        .group_by(col(StatusEntry.recommendation_id))
        .having(func.count() > 0)
    )
    return {by_id[rec_id] for rec_id in used}


def _apply(row: Any, values: dict[str, Any]) -> bool:
    """Set ``values`` on ``row``; True when anything actually changed."""
    changed = False
    for name, value in values.items():
        if getattr(row, name) != value:
            setattr(row, name, value)
            changed = True
    return changed


def _sync_guidelines(session: Session, catalogue_id: int, parsed: ParsedCatalogue, summary: LoadSummary) -> None:
    existing = {g.key: g for g in session.exec(select(Guideline).where(Guideline.catalogue_id == catalogue_id))}
    for position, spec in enumerate(parsed.spec.guidelines, start=1):
        values: dict[str, Any] = {"position": position, "title": spec.title, "text": spec.text}
        row = existing.pop(spec.id, None)
        if row is None:
            session.add(Guideline(catalogue_id=catalogue_id, key=spec.id, **values))
            summary.created.append(f"pejlemærke {spec.id}")
        elif _apply(row, values):
            session.add(row)
            summary.updated.append(f"pejlemærke {spec.id}")
    for key, row in existing.items():
        session.delete(row)
        summary.removed.append(f"pejlemærke {key}")


def _sync_focus_areas(
    session: Session, catalogue_id: int, parsed: ParsedCatalogue, summary: LoadSummary
) -> tuple[dict[str, int], list[FocusArea]]:
    """Create and update the file's focus areas; return their ids and the rows left over."""
    existing = {a.key: a for a in session.exec(select(FocusArea).where(FocusArea.catalogue_id == catalogue_id))}
    ids: dict[str, int] = {}
    for position, spec in enumerate(parsed.spec.focus_areas, start=1):
        values: dict[str, Any] = {"position": position, "title": spec.title, "intro": spec.intro}
        row = existing.pop(spec.id, None)
        if row is None:
            row = FocusArea(catalogue_id=catalogue_id, key=spec.id, **values)
            session.add(row)
            session.flush()
            summary.created.append(f"fokusområde {spec.id}")
        elif _apply(row, values):
            session.add(row)
            summary.updated.append(f"fokusområde {spec.id}")
        assert row.id is not None
        ids[spec.id] = row.id
    return ids, list(existing.values())


def _sync_recommendations(
    session: Session,
    catalogue_id: int,
    parsed: ParsedCatalogue,
    existing: dict[str, Recommendation],
    focus_area_ids: dict[str, int],
    summary: LoadSummary,
) -> None:
    remaining = dict(existing)
    rows: dict[str, Recommendation] = {}
    for position, spec in enumerate(parsed.spec.recommendations, start=1):
        values: dict[str, Any] = {
            "position": position,
            "kind": spec.kind,
            "text": spec.text,
            "first_year": spec.first_year,
            "last_year": spec.last_year,
            "focus_area_id": focus_area_ids[spec.focus_area],
        }
        row = remaining.pop(spec.id, None)
        if row is None:
            row = Recommendation(catalogue_id=catalogue_id, key=spec.id, **values)
            summary.created.append(f"anbefaling {spec.id}")
        elif _apply(row, values):
            summary.updated.append(f"anbefaling {spec.id}")
        session.add(row)
        rows[spec.id] = row
    session.flush()

    # Replacement links, owned by the replacing recommendation.
    wanted = {(old, new.id) for new in parsed.spec.recommendations for old in new.replaces}
    keys = {old for old, _ in wanted} | set(rows)
    id_of = {
        key: rec_id
        for key, rec_id in session.exec(
            select(Recommendation.key, Recommendation.id).where(col(Recommendation.key).in_(keys))
        )
        if rec_id is not None  # always true for flushed rows; narrows the Optional primary key
    }
    replacing_ids = [row.id for row in rows.values()] + [row.id for row in remaining.values()]
    current = {
        (link.replaced_id, link.replacement_id): link
        for link in session.exec(
            select(RecommendationReplacement).where(col(RecommendationReplacement.replacement_id).in_(replacing_ids))
        )
    }
    wanted_ids = {(id_of[old], id_of[new]) for old, new in wanted}
    for pair in sorted(wanted_ids - set(current)):
        session.add(RecommendationReplacement(replaced_id=pair[0], replacement_id=pair[1]))
        summary.created.append("erstatningslink")
    for pair in set(current) - wanted_ids:
        session.delete(current[pair])
        summary.removed.append("erstatningslink")
    session.flush()

    # Unused recommendations that left the file go. Ones with statuses, or that another
    # recommendation replaces, were refused before anything was written; the links they made
    # themselves went just above.
    for key, row in remaining.items():
        session.delete(row)
        summary.removed.append(f"anbefaling {key}")
    session.flush()
