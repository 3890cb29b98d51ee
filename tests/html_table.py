"""A table as a screen reader reads it: rows of header and data cells with their text."""

from dataclasses import dataclass, field
from html.parser import HTMLParser


@dataclass
class Cell:
    tag: str  # "th" or "td"
    attrs: dict[str, str | None]
    text: str = ""  # what a screen reader reads (no aria-hidden parts)
    visible: str = ""  # what the eye sees (no visually hidden parts)
    links: list[dict[str, str | None]] = field(default_factory=list)


@dataclass
class Table:
    head: list[list[Cell]] = field(default_factory=list)
    body: list[list[Cell]] = field(default_factory=list)
    foot: list[list[Cell]] = field(default_factory=list)
    spans: int = 0  # rowspan and colspan attributes seen (a screen reader's table has none)


class _TableParser(HTMLParser):
    def __init__(self, css_class: str) -> None:
        super().__init__()
        self.css_class = css_class
        self.tables: list[Table] = []
        self.depth = 0  # inside the wanted table
        self.section = "body"
        self.cell: Cell | None = None
        self.hidden = 0  # inside aria-hidden: not what a screen reader reads
        self.unseen = 0  # inside a visually hidden span: not what the eye sees

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "table" and self.css_class in (found.get("class") or "").split():
            self.tables.append(Table())
            self.depth = 1
            return
        if not self.depth:
            return
        table = self.tables[-1]
        if "rowspan" in found or "colspan" in found:
            table.spans += 1
        if tag in ("thead", "tbody", "tfoot"):
            self.section = {"thead": "head", "tbody": "body", "tfoot": "foot"}[tag]
        elif tag == "tr":
            getattr(table, self.section).append([])
        elif tag in ("th", "td"):
            self.cell = Cell(tag, found)
            getattr(table, self.section)[-1].append(self.cell)
        elif tag == "a" and self.cell is not None:
            self.cell.links.append(found)
        if self.cell is not None and (self.hidden or found.get("aria-hidden") == "true"):
            self.hidden += 1
        if self.cell is not None and (self.unseen or "vh" in (found.get("class") or "").split()):
            self.unseen += 1

    def handle_endtag(self, tag: str) -> None:
        if not self.depth:
            return
        if self.hidden:
            self.hidden -= 1
        if self.unseen:
            self.unseen -= 1
        if tag == "table":
            self.depth = 0
        elif tag in ("th", "td") and self.cell is not None:
            self.cell.text = " ".join(self.cell.text.split())
            self.cell.visible = " ".join(self.cell.visible.split())
            self.cell = None
            self.hidden = self.unseen = 0

    def handle_data(self, data: str) -> None:
        if self.cell is not None and not self.hidden:
            self.cell.text += data
        if self.cell is not None and not self.unseen:
            self.cell.visible += data


def tables(html: str, css_class: str) -> list[Table]:
    """Every ``<table class="css_class">`` in the page; cell text leaves out aria-hidden parts."""
    parser = _TableParser(css_class)
    parser.feed(html)
    return parser.tables
