"""docs/catalogue.md describes the catalogue format; its example must stay loadable and its
field tables and error examples must match the loader, so the document cannot drift."""

import re
from pathlib import Path

import pytest
from pydantic import BaseModel
from sqlmodel import col, select
from typer.testing import CliRunner

from app.cli import app as cli_app
from app.config import get_settings
from app.db import Database
from app.domain.catalogue import load_catalogue
from app.domain.catalogue_file import parse_catalogue_text
from app.domain.catalogue_schema import (
    SCHEMA_VERSION,
    CatalogueSpec,
    Colours,
    FocusAreaSpec,
    GuidelineSpec,
    RecommendationSpec,
)
from app.domain.vocabulary import Kind
from app.models import Catalogue, Recommendation, RecommendationReplacement
from tests.dump import dump_database
from tests.factories import NOW

DOC = Path(__file__).resolve().parents[1] / "docs" / "catalogue.md"


def doc_text() -> str:
    return DOC.read_text(encoding="utf-8")


def example_catalogue() -> str:
    blocks = re.findall(r"^```yaml\n(.*?)^```$", doc_text(), flags=re.DOTALL | re.MULTILINE)
    assert len(blocks) == 1, "docs/catalogue.md should hold exactly one ```yaml block: the example"
    return str(blocks[0])


def test_documented_example_is_a_valid_catalogue() -> None:
    spec = parse_catalogue_text(example_catalogue().encode("utf-8"), "docs/catalogue.md").spec
    assert spec.schema_version == SCHEMA_VERSION
    assert {rec.kind for rec in spec.recommendations} == set(Kind)
    assert any(rec.last_year for rec in spec.recommendations)
    assert any(rec.replaces for rec in spec.recommendations)


def test_documented_example_loads_and_loads_again_unchanged(db: Database) -> None:
    parsed = parse_catalogue_text(example_catalogue().encode("utf-8"), "anbefalinger.yaml")
    with db.write() as session:
        first = load_catalogue(session, parsed, now=NOW)
    # What the document says `fremdrift catalogue load` prints the first time.
    assert (
        f"{first.catalogue_key}: {len(first.created)} oprettet, {len(first.updated)} opdateret, "
        f"{len(first.removed)} fjernet."
    ) in doc_text()
    with db.read() as session:
        catalogue = session.exec(select(Catalogue).where(Catalogue.key == parsed.spec.id)).one()
        keys = session.exec(
            select(Recommendation.key)
            .where(Recommendation.catalogue_id == catalogue.id)
            .order_by(col(Recommendation.position))
        ).all()
        links = session.exec(select(RecommendationReplacement)).all()
    assert keys == [rec.id for rec in parsed.spec.recommendations]
    assert len(links) == sum(len(rec.replaces) for rec in parsed.spec.recommendations)

    before = dump_database(db)
    with db.write() as session:
        assert not load_catalogue(session, parsed, now=NOW).changed
    assert dump_database(db) == before


@pytest.mark.parametrize("model", [CatalogueSpec, Colours, GuidelineSpec, FocusAreaSpec, RecommendationSpec])
def test_document_names_every_field_of_the_format(model: type[BaseModel]) -> None:
    text = doc_text()
    for name, info in model.model_fields.items():
        assert f"| `{info.alias or name}` |" in text, f"{model.__name__}.{name} is not in the field tables"


def test_document_gives_the_default_colour_meanings_and_every_kind() -> None:
    text = doc_text()
    defaults = Colours()
    for field, value in (("green", defaults.green), ("yellow", defaults.yellow), ("red", defaults.red)):
        assert f"| `{field}` | tekst | {value} |" in text
    for kind in Kind:
        assert f"`{kind.value}`" in text


def test_documented_error_output_is_what_the_cli_prints(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    broken = example_catalogue()
    last = broken.rindex("  - id: sj25-b2")
    broken = broken[:last] + broken[last:].replace("kind: kan", "kind: boer", 1).replace(
        "first_year:", "frist_year:", 1
    )
    (tmp_path / "anbefalinger.yaml").write_text(broken, encoding="utf-8")
    monkeypatch.chdir(tmp_path)

    result = CliRunner().invoke(cli_app, ["catalogue", "validate", "anbefalinger.yaml"])

    assert result.exit_code == 1
    assert f"$ fremdrift catalogue validate anbefalinger.yaml\n{result.stderr}```" in doc_text(), result.stderr


def test_documented_cli_session_is_what_the_cli_prints(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "anbefalinger.yaml").write_text(example_catalogue(), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", database_url)
    get_settings.cache_clear()
    try:
        runner = CliRunner()
        session = [
            (command, runner.invoke(cli_app, ["catalogue", command, "anbefalinger.yaml"]))
            for command in ("validate", "load", "load")
        ]
    finally:
        get_settings.cache_clear()

    transcript = "\n".join(
        f"$ fremdrift catalogue {command} anbefalinger.yaml\n{result.stdout}" for command, result in session
    )
    assert all(result.exit_code == 0 for _, result in session), transcript
    assert f"```text\n{transcript}```" in doc_text(), transcript
