"""docs/cli.md is generated from the real ``--help`` output and must not drift from it."""

import importlib.util
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[1]


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("gen_cli_docs", ROOT / "scripts" / "gen_cli_docs.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_cli_reference_matches_the_real_help_output() -> None:
    generator = _generator()
    committed = generator.DOC.read_text(encoding="utf-8") if generator.DOC.exists() else ""
    diff = generator.stale_diff(committed, generator.render())
    assert not diff, f"docs/cli.md is stale; run  python scripts/gen_cli_docs.py\n{diff}"


def test_cli_reference_lists_every_command() -> None:
    text = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    for command in ("db upgrade", "db revision", "catalogue validate", "catalogue load", "users add", "demo", "serve"):
        assert f"## `fremdrift {command}`" in text
