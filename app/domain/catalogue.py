"""Parse, validate and load catalogue files.

Every problem names the file, the line and the field. Nothing is written until the whole file,
and its fit with what the database already holds, has been checked; loading happens in the
caller's transaction, so an error half-way leaves the database as it was.
"""

import hashlib
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError
from sqlalchemy import func
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from app.domain.catalogue_schema import SCHEMA_VERSION, CatalogueSpec
from app.domain.yaml_source import Path as YamlPath
from app.domain.yaml_source import YamlDocument, read_yaml
from app.models import (
    Catalogue,
    FocusArea,
    Guideline,
    Kkr,
    Recommendation,
    RecommendationReplacement,
    StatusEntry,
)


@dataclass(frozen=True)
class CatalogueProblem:
    file: str
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.field}: {self.message}"


class CatalogueInvalid(Exception):
    """The file cannot be loaded. ``problems`` lists every reason found, in file order."""

    def __init__(self, problems: Iterable[CatalogueProblem]) -> None:
        self.problems = sorted(problems, key=lambda p: (p.line, p.field))
        super().__init__("\n".join(str(p) for p in self.problems))


@dataclass(frozen=True)
class ParsedCatalogue:
    spec: CatalogueSpec
    document: YamlDocument
    source_name: str
    sha256: str

    def problem(self, path: YamlPath, message: str) -> CatalogueProblem:
        return CatalogueProblem(self.source_name, self.document.line_of(path), _field_name(path), message)


@dataclass
class LoadSummary:
    catalogue_key: str
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.removed)


# ---------------------------------------------------------------------------- parsing


def parse_catalogue_file(path: Path) -> ParsedCatalogue:
    """Read and check a catalogue file on its own (no database). Raises ``CatalogueInvalid``."""
    name = str(path)
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise CatalogueInvalid([CatalogueProblem(name, 1, "(fil)", f"kan ikke læses: {error.strerror}")]) from error
    return parse_catalogue_text(raw, name)


def parse_catalogue_text(raw: bytes, source_name: str) -> ParsedCatalogue:
    def fail(line: int, field_name: str, message: str) -> CatalogueInvalid:
        return CatalogueInvalid([CatalogueProblem(source_name, line, field_name, message)])

    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        # Point at the first byte that is not UTF-8 (often an æ, ø or å from an old editor).
        line = raw.count(b"\n", 0, error.start) + 1
        raise fail(
            line,
            _field_at_line(raw.decode("utf-8", errors="replace"), line),
            f"filen er ikke gemt som UTF-8 (byte 0x{raw[error.start]:02x} på denne linje); gem den som UTF-8",
        ) from error
    try:
        document = read_yaml(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 1
        problem = getattr(error, "problem", None) or str(error)
        raise fail(line, "(yaml)", f"ugyldig YAML: {problem}") from error

    if document.data is None:
        raise fail(1, "(fil)", "filen er tom; et katalog er en mapping med schema, id, kkr, ...")
    if not isinstance(document.data, dict):
        raise fail(
            document.line_of(()), "(rod)", "filen skal være en mapping (nøgle: værdi), ikke en liste eller en tekst"
        )

    problems = [
        CatalogueProblem(source_name, line, _field_name(path), "står mere end én gang")
        for path, line in document.duplicate_keys
    ]
    schema = document.data.get("schema")
    if schema is not None and schema != SCHEMA_VERSION:
        problems.append(
            CatalogueProblem(
                source_name,
                document.line_of(("schema",)),
                "schema",
                f"skemaversion {schema!r} kendes ikke; denne version af Fremdrift læser {SCHEMA_VERSION}",
            )
        )
    try:
        spec = CatalogueSpec.model_validate(document.data)
    except ValidationError as error:
        problems.extend(_describe_validation_error(error, document, source_name))
        raise CatalogueInvalid(problems) from error

    parsed = ParsedCatalogue(spec, document, source_name, hashlib.sha256(raw).hexdigest())
    problems.extend(_check_references(parsed))
    if problems:
        raise CatalogueInvalid(problems)
    return parsed


_MESSAGES = {
    "missing": "mangler",
    "extra_forbidden": "ukendt felt (stavefejl?)",
    "string_too_short": "må ikke være tom",
    "string_too_long": "er for lang",
    "string_type": "skal være en tekst",
    "string_pattern_mismatch": "må kun indeholde små bogstaver a-z, tal, punktum, - og _",
    "int_parsing": "skal være et heltal",
    "int_type": "skal være et heltal",
    "greater_than_equal": "er for lille",
    "less_than_equal": "er for stor",
    "date_from_datetime_parsing": "skal være en dato som ÅÅÅÅ-MM-DD",
    "date_parsing": "skal være en dato som ÅÅÅÅ-MM-DD",
    "date_type": "skal være en dato som ÅÅÅÅ-MM-DD",
    "dict_type": "skal være en mapping (nøgle: værdi)",
    "model_type": "skal være en mapping (nøgle: værdi)",
    "model_attributes_type": "skal være en mapping (nøgle: værdi)",
    "list_type": "skal være en liste (linjer der starter med '- ')",
    "too_short": "skal have mindst ét element",
    "enum": "skal være en af: skal, bør, kan",
}


def _describe_validation_error(
    error: ValidationError, document: YamlDocument, source_name: str
) -> list[CatalogueProblem]:
    problems = []
    for item in error.errors():
        path: YamlPath = tuple(part for part in item["loc"] if isinstance(part, str | int))
        message = _MESSAGES.get(item["type"], item["msg"])
        if item["type"] == "enum":
            message = f"{message} (fik {item.get('input')!r})"
        problems.append(CatalogueProblem(source_name, document.line_of(path), _field_name(path), message))
    return problems


def _field_name(path: YamlPath) -> str:
    name = ""
    for part in path:
        name += f"[{part}]" if isinstance(part, int) else (f".{part}" if name else part)
    return name or "(rod)"


def _field_at_line(text: str, line: int) -> str:
    """The field written nearest above ``line``, for a problem found before the file could be parsed."""
    try:
        document = read_yaml(text)
    except yaml.YAMLError:
        return "(fil)"
    above = [path for path, start in document.lines.items() if path and start <= line]
    return _field_name(max(above, key=lambda path: (document.lines[path], len(path)))) if above else "(fil)"


def _check_references(parsed: ParsedCatalogue) -> list[CatalogueProblem]:
    """The checks across entries that a schema alone cannot make."""
    spec = parsed.spec
    problems: list[CatalogueProblem] = []
    for section, ids in (
        ("guidelines", [item.id for item in spec.guidelines]),
        ("focus_areas", [item.id for item in spec.focus_areas]),
        ("recommendations", [item.id for item in spec.recommendations]),
    ):
        counts = Counter(ids)
        for index, item_id in enumerate(ids):
            if counts[item_id] > 1:
                problems.append(parsed.problem((section, index, "id"), f"id {item_id!r} bruges mere end én gang"))

    focus_ids = {area.id for area in spec.focus_areas}
    for index, rec in enumerate(spec.recommendations):
        if rec.focus_area not in focus_ids:
            known = ", ".join(sorted(focus_ids))
            problems.append(
                parsed.problem(
                    ("recommendations", index, "focus_area"),
                    f"ukendt fokusområde {rec.focus_area!r}; kendte: {known}",
                )
            )
        if rec.last_year is not None and rec.last_year < rec.first_year:
            problems.append(
                parsed.problem(
                    ("recommendations", index, "last_year"),
                    f"sidste år {rec.last_year} ligger før første år {rec.first_year}",
                )
            )
        if rec.id in rec.replaces:
            problems.append(
                parsed.problem(
                    ("recommendations", index, "replaces"),
                    "en anbefaling kan ikke erstatte sig selv",
                )
            )
    return problems


# ---------------------------------------------------------------------------- loading


def load_catalogue(session: Session, parsed: ParsedCatalogue, *, now: datetime) -> LoadSummary:
    """Create or update the catalogue in ``session``'s transaction.

    Loading the same file again changes nothing. Recommendations are matched on their id; one
    that has statuses is never removed (retire it with ``last_year`` instead).
    """
    spec = parsed.spec
    summary = LoadSummary(catalogue_key=spec.id)
    kkr = session.exec(select(Kkr).where(Kkr.name == spec.kkr)).first()
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
            "kind": spec.kind.value,
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
