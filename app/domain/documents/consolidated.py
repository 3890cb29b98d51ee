"""The consolidated report for the KKR (samlet afrapportering), as data.

Every figure comes from the rollup (``app.domain.rollup``); this module adds what a report
prints beside the figures: the remarks grouped by recommendation, the municipalities that did not
submit, the coordinator's texts and the catalogue as an annex.
"""

from datetime import datetime

from sqlmodel import Session, col, select

from app.domain.catalogue_queries import CatalogueTree, build_tree
from app.domain.documents import shapes as s
from app.domain.documents.matrix import matrix_rows, where_to_act_part
from app.domain.documents.texts import ADJUSTMENTS, AREA_PREFIX, NEW_RECOMMENDATIONS, SUMMARY, round_texts
from app.domain.rollup.data import RoundData, load_history, standing_of
from app.domain.rollup.round_figures import RoundFigures, round_figures
from app.domain.text import danish_sort_key
from app.domain.vocabulary import Kind, ReportState
from app.models import Catalogue, Kkr, ReportingRound, StatusEntry, StatusReport


def build_consolidated(session: Session, reporting_round: ReportingRound) -> s.ConsolidatedReport:
    """Everything the round's consolidated report shows, from the live data. Only submitted
    reports count in the figures and the remarks, as in the rollup."""
    assert reporting_round.id is not None
    # Every earlier round: the escalation list follows a red row back as far as it goes.
    history = load_history(session, reporting_round.kkr_id, reporting_round.year)
    data = history.current
    figures = round_figures(data)
    catalogue = session.get(Catalogue, reporting_round.catalogue_id)
    kkr = session.get(Kkr, reporting_round.kkr_id)
    assert catalogue is not None and kkr is not None
    tree = build_tree(session, catalogue, kkr, year=reporting_round.year)
    texts = {section: text.text for section, text in round_texts(session, reporting_round.id).items()}
    numbers = {rec.id: number for number, rec in enumerate(data.recommendations, start=1)}
    lines = {
        rf.recommendation.id: s.RecommendationLine(
            key=rf.recommendation.key,
            number=numbers[rf.recommendation.id],
            kind=rf.recommendation.kind,
            text=rf.recommendation.text,
            distribution=s.Distribution.of(rf.tally),
        )
        for rf in figures.by_recommendation
    }
    by_kind = {kf.kind: s.Distribution.of(kf.tally) for kf in figures.by_kind}
    remarks, as_of = _remarks(session, data, numbers)
    text_times = [text.updated_at for text in round_texts(session, reporting_round.id).values()]
    newest = max([time for time in (as_of, *text_times) if time is not None], default=None)
    return s.ConsolidatedReport(
        kkr=kkr.name,
        year=reporting_round.year,
        catalogue_title=catalogue.title,
        catalogue_adopted_on=catalogue.adopted_on,
        as_of=(newest or reporting_round.created_at).date(),
        round_state=reporting_round.state.label,
        colour_meanings=tree.colour_meanings,
        municipalities=figures.participation.municipalities,
        submitted=figures.participation.submitted,
        overall=s.Distribution.of(figures.overall),
        skal=by_kind.get(Kind.SKAL, s.Distribution()),
        kan=by_kind.get(Kind.KAN, s.Distribution()),
        unconfirmed_rows=figures.overall.unconfirmed,
        missing_rows=figures.overall.not_reported,
        focus_areas=_focus_areas(figures, tree, lines, texts),
        matrix=matrix_rows(history),
        previous_year=history.previous.round.year if history.previous else None,
        where_to_act=where_to_act_part(history, numbers),
        remarks=remarks,
        absent=_absent(session, data),
        texts=s.CoordinatorTexts(
            summary=texts.get(SUMMARY, ""),
            adjustments=texts.get(ADJUSTMENTS, ""),
            new_recommendations=texts.get(NEW_RECOMMENDATIONS, ""),
        ),
        guidelines=[s.AnnexGuideline(title=g.title, text=g.text) for g in tree.guidelines],
        annex=[
            s.AnnexArea(
                title=rows.area.title,
                intro=rows.area.intro,
                recommendations=[lines[rec.id] for rec in rows.recommendations if rec.id in lines],
            )
            for rows in tree.focus_areas
        ],
    )


def _focus_areas(
    figures: RoundFigures, tree: CatalogueTree, lines: dict[int, s.RecommendationLine], texts: dict[str, str]
) -> list[s.FocusAreaPart]:
    by_area = {ff.focus_area.id: s.Distribution.of(ff.tally) for ff in figures.by_focus_area}
    return [
        s.FocusAreaPart(
            key=rows.area.key,
            title=rows.area.title,
            intro=rows.area.intro,
            recommendations=[lines[rec.id] for rec in rows.recommendations if rec.id in lines],
            observations=texts.get(AREA_PREFIX + rows.area.key, ""),
            distribution=by_area.get(rows.area.id or 0, s.Distribution()),
        )
        for rows in tree.focus_areas
        if any(rec.id in lines for rec in rows.recommendations)
    ]


def _remarks(session: Session, data: RoundData, numbers: dict[int, int]) -> tuple[list[s.RemarksFor], datetime | None]:
    """The remarks of the submitted reports, per recommendation, municipalities in Danish order;
    and the time of the newest change among those reports."""
    names = {m.code: m.name for m in data.municipalities}
    found: dict[int, list[s.Remark]] = {rec_id: [] for rec_id in numbers}
    newest: datetime | None = None
    rows = session.exec(
        select(  # type: ignore[call-overload]  # SQLModel's select() is typed for at most four columns
            StatusReport.municipality_code,
            StatusReport.submitted_at,
            StatusEntry.recommendation_id,
            StatusEntry.colour,
            StatusEntry.opted_out,
            StatusEntry.confirmed,
            StatusEntry.remark,
            StatusEntry.opt_out_reason,
        )
        .join(StatusReport, col(StatusReport.id) == StatusEntry.report_id)
        .where(StatusReport.round_id == data.round.id)
        .where(StatusReport.state == ReportState.SUBMITTED)
    )
    for code, submitted_at, rec_id, colour, opted_out, confirmed, remark, reason in rows:
        if submitted_at is not None and (newest is None or submitted_at > newest):
            newest = submitted_at
        text = reason if opted_out else remark
        if rec_id not in found or not text or code not in names:
            continue
        standing = standing_of(submitted=True, colour=colour, opted_out=opted_out, confirmed=confirmed)
        found[rec_id].append(s.Remark(municipality=names[code], status=s.Status(standing=standing), text=text))
    by_id = {rec.id: rec for rec in data.recommendations}
    return [
        s.RemarksFor(
            number=numbers[rec_id],
            kind=by_id[rec_id].kind,
            text=by_id[rec_id].text,
            remarks=sorted(remarks, key=lambda remark: danish_sort_key(remark.municipality)),
        )
        for rec_id, remarks in found.items()
    ], newest


def _absent(session: Session, data: RoundData) -> list[s.Absent]:
    """The KKR's municipalities that have not submitted, with how far they have come."""
    states: dict[int, ReportState] = {
        code: ReportState(state)
        for code, state in session.exec(
            select(StatusReport.municipality_code, StatusReport.state).where(StatusReport.round_id == data.round.id)
        )
    }
    return [
        s.Absent(code=m.code, name=m.name, state=states.get(m.code, ReportState.NOT_STARTED).label)
        for m in data.municipalities
        if m.code not in data.submitted
    ]
