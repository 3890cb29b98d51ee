"""Our own stylesheets parse: braces balance, no rule is empty or cut off, and no declaration
or rule is one the browser (or WeasyPrint, for the PDFs) would drop as a parse error.

tinycss2 is WeasyPrint's own CSS parser. It closes blocks left open at the end of the file
silently, as CSS says a browser must, so the balance of braces is counted separately, by a
scanner that skips comments and strings."""

from pathlib import Path

import pytest
import tinycss2
from tinycss2.ast import AtRule, Node, ParseError, QualifiedRule

STATIC = Path(__file__).resolve().parent.parent / "static"
# Everything under static/ but the vendored design system and libraries.
OURS = sorted(path for path in STATIC.rglob("*.css") if "vendor" not in path.relative_to(STATIC).parts)


def brace_problems(css: str) -> list[str]:
    """Where braces do not balance, ignoring those in comments and strings."""
    problems: list[str] = []
    depth, line, index = 0, 1, 0
    while index < len(css):
        char = css[index]
        if css.startswith("/*", index):
            end = css.find("*/", index + 2)
            if end == -1:
                return [*problems, f"line {line}: comment never closed"]
            line += css.count("\n", index, end)
            index = end + 2
            continue
        if char in "\"'":
            end = index + 1
            while end < len(css) and css[end] != char and css[end] != "\n":
                end += 2 if css[end] == "\\" else 1
            if end >= len(css) or css[end] == "\n":
                problems.append(f"line {line}: string never closed")
            index = end + 1
            continue
        if char == "\n":
            line += 1
        elif char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth < 0:
                problems.append(f"line {line}: '}}' without its '{{'")
                depth = 0
        index += 1
    if depth:
        problems.append(f"end of file: {depth} block(s) never closed")
    return problems


def parse_problems(nodes: list[Node], *, inside: str = "") -> list[str]:
    """Parse errors and empty blocks, at any depth (media queries and nested rules included)."""
    problems = []
    for node in nodes:
        where = f"line {node.source_line}"
        if isinstance(node, ParseError):
            problems.append(f"{where}: {node.message}{inside}")
        elif isinstance(node, QualifiedRule | AtRule) and node.content is not None:
            content = tinycss2.parse_blocks_contents(node.content, skip_comments=True, skip_whitespace=True)
            name = tinycss2.serialize(node.prelude).strip()
            if isinstance(node, AtRule):
                name = f"@{node.at_keyword} {name}"
            if not content:
                problems.append(f"{where}: empty block {name!r}{inside}")
            problems += parse_problems(content, inside=f" (in {name!r})")
    return problems


def problems_of(css: str) -> list[str]:
    rules = tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True)
    return brace_problems(css) + parse_problems(rules)


def test_our_stylesheets_are_found() -> None:
    assert {path.relative_to(STATIC).as_posix() for path in OURS} >= {"app.css", "pdf/report.css"}


@pytest.mark.parametrize("path", OURS, ids=lambda path: path.relative_to(STATIC).as_posix())
def test_stylesheet_parses(path: Path) -> None:
    assert problems_of(path.read_text(encoding="utf-8")) == []


@pytest.mark.parametrize(
    ("css", "problem"),
    [
        ("a { color: red; ", "end of file: 1 block(s) never closed"),
        ("a { color: red; } }", "line 1: '}' without its '{'"),
        ("a { }", "line 1: empty block 'a'"),
        ("a { color red; }", "line 1: "),
        ("@media print { a { } }", "line 1: empty block 'a' (in '@media print')"),
        ('a::after { content: "{"; }', None),  # a brace in a string counts for nothing
        ("/* { */ a { color: red; }", None),  # nor one in a comment
        ("a { content: 'x\n}", "line 1: string never closed"),
    ],
)
def test_the_checks_catch_what_they_are_for(css: str, problem: str | None) -> None:
    found = brace_problems(css) + parse_problems(
        tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True)
    )
    if problem is None:
        assert found == []
    else:
        assert any(p.startswith(problem) for p in found), found
