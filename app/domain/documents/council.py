"""One municipality's report for its council (the Fremdriftsskema filled in), as data.

Its own rows as the municipality sees them (a report in progress shows its own colours), last
year's colour beside each, and, once the round has closed, the KKR-wide distribution of each
recommendation from the rollup (submitted reports only).
"""

from sqlmodel import Session, select

from app.domain.catalogue_queries import build_tree
from app.domain.documents import shapes as s
from app.domain.reports.queries import ReportAddress, previous_statuses
from app.domain.reports.rules import state_of
from app.domain.rollup.data import load_round, standing_of
from app.domain.rollup.round_figures import round_figures
from app.domain.vocabulary import RoundState, Standing
from app.models import Catalogue, StatusEntry

# Once the round is closed every report is in, and the KKR's figures may stand beside each row.
SHOWS_KKR = frozenset({RoundState.CLOSED, RoundState.PUBLISHED})


def build_council(session: Session, address: ReportAddress) -> s.CouncilReport:
    """The report of ``address``'s municipality for its council, from the live data."""
    municipality, kkr, reporting_round, report = address.municipality, address.kkr, address.round, address.report
    catalogue = session.get(Catalogue, reporting_round.catalogue_id)
    assert catalogue is not None
    tree = build_tree(session, catalogue, kkr, year=reporting_round.year)
    recs = tree.recommendations
    entries = (
        {
            entry.recommendation_id: entry
            for entry in session.exec(select(StatusEntry).where(StatusEntry.report_id == report.id))
        }
        if report is not None
        else {}
    )
    previous = previous_statuses(session, municipality, reporting_round.year, [rec.id or 0 for rec in recs])
    shows_kkr = reporting_round.state in SHOWS_KKR
    kkr_figures = round_figures(load_round(session, kkr.id or 0, reporting_round.year))
    distributions = {rf.recommendation.id: s.Distribution.of(rf.tally) for rf in kkr_figures.by_recommendation}
    numbers = {rec.id: number for number, rec in enumerate(recs, start=1)}
    changed = [entry.updated_at for entry in entries.values() if entry.updated_at is not None]
    if report is not None:
        changed += [report.started_at] + ([report.submitted_at] if report.submitted_at else [])
    as_of = max(changed, default=reporting_round.created_at).date()

    def row(rec_id: int) -> s.CouncilRow:
        rec = next(r for r in recs if r.id == rec_id)
        entry = entries.get(rec_id)
        standing = (
            standing_of(submitted=True, colour=entry.colour, opted_out=entry.opted_out, confirmed=entry.confirmed)
            if entry is not None
            else Standing.NOT_REPORTED
        )
        last = previous.get(rec_id, [])
        last_status = None
        if len(last) == 1 and (last[0].colour or last[0].opted_out):
            last_standing = Standing.OPTED_OUT if last[0].opted_out else Standing.of_colour(last[0].colour)  # type: ignore[arg-type]
            last_status = s.Status(standing=last_standing)
        return s.CouncilRow(
            number=numbers[rec_id],
            kind=rec.kind,
            text=rec.text,
            status=s.Status(standing=standing),
            remark=entry.remark if entry else "",
            opt_out_reason=entry.opt_out_reason if entry and entry.opted_out else "",
            confirmed=entry.confirmed if entry else True,
            last_year=last_status,
            kkr=distributions.get(rec_id) if shows_kkr else None,
        )

    return s.CouncilReport(
        municipality=municipality.name,
        code=municipality.code,
        kkr=kkr.name,
        year=reporting_round.year,
        catalogue_title=catalogue.title,
        as_of=as_of,
        state=state_of(report).label,
        submitted_on=report.submitted_at.date() if report and report.submitted_at else None,
        committee_name=report.committee_name if report else "",
        committee_date=report.committee_date if report else None,
        agenda_url=report.agenda_url if report else "",
        colour_meanings=tree.colour_meanings,
        areas=[
            s.CouncilArea(title=rows.area.title, rows=[row(rec.id or 0) for rec in rows.recommendations])
            for rows in tree.focus_areas
            if rows.recommendations
        ],
        shows_kkr=shows_kkr,
        kkr_submitted=kkr_figures.participation.submitted,
        kkr_municipalities=kkr_figures.participation.municipalities,
    )
