"""axe-core in the browser tests: run it on the page as it stands and fail on serious or critical
violations. The script ships in tests/e2e/vendor/axe-core (from the npm registry, MPL-2.0) and is
evaluated through Playwright, so our CSP, which refuses injected inline scripts, is left as it is.

    from tests.e2e.axe import assert_no_serious_violations
    assert_no_serious_violations(page, "the front page")
"""

from functools import cache
from pathlib import Path
from typing import Any

from playwright.sync_api import Page

AXE_SCRIPT = Path(__file__).with_name("vendor") / "axe-core" / "axe.min.js"
# WCAG 2.1 A and AA, which Danish public bodies must meet, and axe's best practices.
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
BLOCKING = ("serious", "critical")


@cache
def _source() -> str:
    return AXE_SCRIPT.read_text(encoding="utf-8")


def axe_violations(page: Page, *, include: str | None = None) -> list[dict[str, Any]]:
    """axe's violations on the current page (or within the ``include`` selector)."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(_source())  # evaluate() runs as the debugger would: the page's CSP does not apply
    context = include or "document"
    result: dict[str, Any] = page.evaluate(
        """async ([context, tags]) => {
            const target = context === "document" ? document : {include: [context]};
            return await window.axe.run(target, {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]});
        }""",
        [context, TAGS],
    )
    violations: list[dict[str, Any]] = result["violations"]
    return violations


def describe(violations: list[dict[str, Any]]) -> str:
    lines = []
    for violation in violations:
        targets = [" ".join(node["target"]) for node in violation["nodes"][:5]]
        lines.append(f"{violation['impact']}: {violation['id']} ({violation['help']}) at {targets}")
    return "\n".join(lines)


def assert_no_serious_violations(page: Page, where: str, *, include: str | None = None) -> None:
    """No serious or critical axe violation on the page (moderate and minor ones are not counted)."""
    blocking = [v for v in axe_violations(page, include=include) if v["impact"] in BLOCKING]
    assert not blocking, f"axe on {where}:\n{describe(blocking)}"
