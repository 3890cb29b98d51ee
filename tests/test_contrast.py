"""Every text colour in static/app.css against the background it is drawn on (WCAG 2.1 AA, 4.5:1),
and no text below 12 px.

A rule that sets ``color`` is checked against its own ``background`` when it sets one, else
against both page backgrounds (white panels and the grey page). axe-core checks the rendered
pages as well (tests/e2e); this catches a pair before any page shows it."""

import re

import pytest

from app.config import STATIC_DIR

CSS = (STATIC_DIR / "app.css").read_text()
AA = 4.5
PAGE_BACKGROUNDS = ("#ffffff", "var(--bg)")
HEX = re.compile(r"#[0-9a-fA-F]{6}\b|#[0-9a-fA-F]{3}\b")


def variables() -> dict[str, str]:
    root = CSS[CSS.index(":root {") : CSS.index("}", CSS.index(":root {"))]
    return dict(re.findall(r"(--[\w-]+):\s*(#[0-9a-fA-F]{3,6})", root))


def resolve(value: str) -> str | None:
    value = value.strip()
    named = {"white": "#ffffff", "#fff": "#ffffff"}
    if value in named:
        return named[value]
    found = re.fullmatch(r"var\((--[\w-]+)\)", value)
    if found:
        return variables().get(found.group(1))
    if HEX.fullmatch(value):
        return value if len(value) == 7 else "#" + "".join(c * 2 for c in value[1:])
    return None


def luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def pairs() -> list[tuple[str, str, str]]:
    """(selector, text colour, background) for every rule of the stylesheet that sets a colour."""
    found = []
    for selector, body in re.findall(r"([^{}]+)\{([^{}]*)\}", CSS):
        colour = re.search(r"(?<![-\w])color:\s*([^;]+)", body)
        if not colour or resolve(colour.group(1)) is None:
            continue
        background = re.search(r"background(?:-color)?:\s*([^;]+)", body)
        backgrounds = [background.group(1)] if background and resolve(background.group(1)) else list(PAGE_BACKGROUNDS)
        for bg in backgrounds:
            found.append((selector.strip(), colour.group(1).strip(), bg.strip()))
    return found


def test_the_stylesheet_has_colour_pairs_to_check() -> None:
    assert len(pairs()) > 20
    # The pair issue 16 found below AA: the "Overført fra …, ikke bekræftet" badge.
    assert (".badge.unconfirmed", "var(--yellow)", "var(--yellow-bg)") in pairs()


@pytest.mark.parametrize(("selector", "colour", "background"), pairs())
def test_text_meets_aa_contrast(selector: str, colour: str, background: str) -> None:
    fg, bg = resolve(colour), resolve(background)
    assert fg is not None and bg is not None
    ratio = contrast(fg, bg)
    assert ratio >= AA, f"{selector}: {colour} ({fg}) on {background} ({bg}) is {ratio:.2f}:1"


def test_no_text_smaller_than_12_px() -> None:
    # DKFDS sets html { font-size: 62.5% }, so 1rem is 10px here: ".9rem" written for a 16px rem
    # would be 9px. Everything readable stays at 1.2rem (12px) or more.
    sizes = [float(size) for size in re.findall(r"font-size:\s*([\d.]+)rem", CSS)]
    assert sizes and min(sizes) >= 1.2, sorted(sizes)
