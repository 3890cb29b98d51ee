"""Read and check a catalogue file on its own, before the database is involved.

Every problem names the file, the line and the field. The YAML is read with the line of every
value, checked against the schema (catalogue_schema.py), then across its entries.
"""

import hashlib
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import yaml
from pydantic import ValidationError

from app.domain.catalogue_schema import SCHEMA_VERSION, CatalogueSpec
from app.domain.yaml_source import Path as YamlPath
from app.domain.yaml_source import YamlDocument, YamlRefused, read_yaml

# The seed catalogue is about 10 kB; a catalogue a hundred times that is not a catalogue.
MAX_CATALOGUE_BYTES = 1024 * 1024
TOO_LARGE = "filen er {size} kB; en katalogfil må højst være {limit} kB"


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


def parse_catalogue_file(path: Path) -> ParsedCatalogue:
    """Read and check a catalogue file on its own (no database). Raises ``CatalogueInvalid``."""
    name = str(path)
    try:
        with path.open("rb") as file:
            raw = file.read(MAX_CATALOGUE_BYTES + 1)
            if len(raw) > MAX_CATALOGUE_BYTES:
                size = path.stat().st_size
                raise CatalogueInvalid([CatalogueProblem(name, 1, "(fil)", _too_large(size))])
    except OSError as error:
        raise CatalogueInvalid([CatalogueProblem(name, 1, "(fil)", f"kan ikke læses: {error.strerror}")]) from error
    return parse_catalogue_text(raw, name)


def parse_catalogue_text(raw: bytes, source_name: str) -> ParsedCatalogue:
    def fail(line: int, field_name: str, message: str) -> CatalogueInvalid:
        return CatalogueInvalid([CatalogueProblem(source_name, line, field_name, message)])

    if len(raw) > MAX_CATALOGUE_BYTES:
        raise fail(1, "(fil)", _too_large(len(raw)))

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
    except YamlRefused as error:
        raise fail(error.line, "(yaml)", error.message) from error
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


def _too_large(size: int) -> str:
    return TOO_LARGE.format(size=f"{-(-size // 1024):,}".replace(",", "."), limit=MAX_CATALOGUE_BYTES // 1024)


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
