"""A report's shapes to its HTML and PDF."""

from app.domain.documents.shapes import ConsolidatedReport, CouncilReport
from app.pdf.html import consolidated_html, council_html
from app.pdf.renderer import RenderedPdf, renderer


def html_of(document: ConsolidatedReport | CouncilReport) -> str:
    if isinstance(document, ConsolidatedReport):
        return consolidated_html(document)
    return council_html(document)


def render_document(document: ConsolidatedReport | CouncilReport) -> RenderedPdf:
    """Render in this process, with its loaded renderer (the CLI, the tests, the render process)."""
    return renderer().render(html_of(document))
