"""Demo data: KKR Hovedstaden's catalogue, several past years of statuses and an open round.

Every status and remark here is fictional, made up for trying the product, and the app shows a
banner saying so while it runs in demo mode. Past years and the open round alike are written
through the domain's commands (create and open a round, start, save, submit, close, committee), so
the demo holds only what the product itself can make: its history, timeline and render queue
included. The mails those commands queue go to fictional addresses and are marked undeliverable.
"""

import random
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from sqlmodel import Session, col, select

from app.domain.access import Actor
from app.domain.accounts import actor_of, create_user
from app.domain.catalogue import load_catalogue
from app.domain.catalogue_file import parse_catalogue_file
from app.domain.outbox import mark_failed
from app.domain.reports.commands import EntryInput, record_committee, save_entry, start_report, submit_report
from app.domain.rounds import create_round
from app.domain.rounds.lifecycle import close_round, open_round
from app.domain.rounds.reminders import send_reminders
from app.domain.rounds.review import approve_report, send_back_report
from app.domain.vocabulary import Colour, Kind, MailState, Role, RoundState
from app.mail.compose import Composer
from app.models import (
    Catalogue,
    Kkr,
    Municipality,
    OutboxMail,
    Recommendation,
    ReportingRound,
    StatusEntry,
    StatusReport,
    User,
)
from app.security.passwords import hash_password

KKR = "KKR Hovedstaden"
CATALOGUE_KEY = "kkr-hovedstaden-2015"
# A fictional second edition from 2024 (a revision, a split, a merge, a new and a retired row), so
# the matrix shows year over year across editions on real rows: "• ny", ▲ and ▼.
EDITION_KEY = "kkr-hovedstaden-2024"
EDITION_FILE = "kkr-hovedstaden-2024.yaml"
EDITION_FIRST_YEAR = 2024
PAST_YEARS = (2022, 2023, 2024, 2025)
OPEN_YEAR = 2026
PASSWORD = "demo-fremdrift"  # noqa: S105 - the demo's password is printed for anyone to use
DOMAIN = "demo.fremdrift.dk"
ALLEROED = 201


@dataclass(frozen=True)
class DemoLogin:
    email: str
    role: str
    scope: str


REMARKS = {
    Colour.GREEN: [
        "Samarbejdet er formaliseret med nabokommunerne og kører som planlagt.",
        "Indgår i det fælles virksomhedsberedskab; fast kontaktperson er udpeget.",
        "Aftale underskrevet, og første fælles forløb er gennemført.",
        "Strategien er vedtaget i direktionen og bruges i den daglige planlægning.",
    ],
    Colour.YELLOW: [
        "Drøftelser med to nabokommuner er i gang; aftale forventes i løbet af året.",
        "Delvist igangsat: pilotforløb i én afdeling, udbredelse afventer evaluering.",
        "Vi deltager i netværket, men aftalen er endnu ikke formaliseret.",
        "Kortlægningen er påbegyndt; mangler data fra uddannelsesinstitutionerne.",
    ],
    Colour.RED: [
        "Ikke igangsat på grund af omstrukturering i jobcentret; prioriteres næste år.",
        "Afventer fælles model fra koordinationsgruppen.",
        "Ikke prioriteret i år; ressourcerne er brugt på reformimplementeringen.",
    ],
}
OPT_OUT_REASONS = [
    "Kommunen har ingen virksomhedscentre af relevant størrelse.",
    "Målgruppen er meget lille i kommunen; vi henviser til eksisterende tilbud.",
]


def build_demo(session: Session, *, catalogue_path: Path, now: datetime) -> list[DemoLogin]:
    """Fill an upgraded, empty database with the demo. Returns the log-ins to print."""
    load_catalogue(session, parse_catalogue_file(catalogue_path), now=now)
    load_demo_edition(session, catalogue_path.with_name(EDITION_FILE), now=now)
    municipalities = session.exec(
        select(Municipality).where(Municipality.kkr_id == _kkr_id(session)).order_by(col(Municipality.code))
    ).all()
    logins = _create_users(session, municipalities, now)
    editors = {
        user.municipality_code: user
        for user in session.exec(select(User).where(User.role == Role.EDITOR.value))
        if user.municipality_code is not None
    }
    rng = random.Random(2015)  # noqa: S311 - demo data, not security
    maturity = {m.code: rng.uniform(0.3, 0.7) for m in municipalities}
    coordinator = actor_of(session.exec(select(User).where(User.email == f"koordinator@{DOMAIN}")).one())
    for year in PAST_YEARS:
        _build_past_round(session, coordinator, year, municipalities, editors, maturity, rng)

    _build_open_round(session, municipalities, editors, demo_recommendations(session, OPEN_YEAR), maturity, rng, now)
    _mark_demo_mail_undeliverable(session, now)
    session.flush()
    return logins


# SKAL rows that stay red, so "where to act" has something to show: municipality -> year -> row.
STUCK_ROWS = {
    270: {2023: "hov15-o1", 2024: "hov24-o1", 2025: "hov24-o1"},  # Gribskov, across the merge
    260: {2024: "hov24-v3", 2025: "hov24-v3"},  # Halsnæs
    153: {2022: "hov15-d1", 2023: "hov15-d1", 2024: "hov24-d1", 2025: "hov24-d1"},  # Brøndby
}
STUCK_REMARK = "Ikke igangsat: afventer en fælles model fra koordinationsgruppen, som i fjor."
# The demo's mails (reminders, a report sent back) go to fictional addresses: they stay in the
# outbox as the sender leaves a mail the server refused for good, so none is ever sent.
UNDELIVERABLE = "Demodata: adressen er fiktiv, og mailen sendes ikke."


def load_demo_edition(session: Session, path: Path, *, now: datetime) -> None:
    """The fictional second edition, loaded after the 2015 catalogue it replaces rows of."""
    load_catalogue(session, parse_catalogue_file(path), now=now)


def demo_catalogue_key(year: int) -> str:
    """The edition a demo round of ``year`` reports against."""
    return EDITION_KEY if year >= EDITION_FIRST_YEAR else CATALOGUE_KEY


def demo_recommendations(session: Session, year: int) -> Sequence[Recommendation]:
    """The rows of the edition in force in ``year``, in the Fremdriftsskema's order."""
    return session.exec(
        select(Recommendation)
        .join(Catalogue, col(Catalogue.id) == Recommendation.catalogue_id)
        .where(Catalogue.key == demo_catalogue_key(year))
        .order_by(col(Recommendation.position))
    ).all()


# ---------------------------------------------------------------------------- the open round
# Built through the domain's commands (create, open, start, save, submit, send back, approve,
# remind), at times in the past, so the demo holds only what the product itself can make.

SENT_BACK_COMMENT = (
    "Tak for rapporten. Ved anbefaling V1 står der grøn, men bemærkningen siger, at aftalen endnu "
    "ikke er underskrevet. Ret farven eller uddyb bemærkningen, og indsend igen."
)


def _build_open_round(
    session: Session,
    municipalities: Sequence[Municipality],
    editors: dict[int, User],
    recommendations: Sequence[Recommendation],
    maturity: dict[int, float],
    rng: random.Random,
    now: datetime,
) -> None:
    """The round of this year: opened three weeks ago; a handful of municipalities have begun,
    some have submitted, one is sent back with a comment, one approved, and the rest reminded."""
    opened = now - timedelta(days=21)
    coordinator = session.exec(select(User).where(User.email == f"koordinator@{DOMAIN}")).one()
    reviewer = actor_of(coordinator)
    composer = Composer(f"https://{DOMAIN}")
    reporting_round = _round(session, OPEN_YEAR, RoundState.PLANNED, opened.date(), opened)
    assert reporting_round.id is not None
    open_round(session, reviewer, reporting_round.id, now=opened)
    started = [m for index, m in enumerate(municipalities) if m.code != ALLEROED and index % 4 == 1]
    for number, municipality in enumerate(started):
        editor = actor_of(editors[municipality.code])
        moment = opened + timedelta(days=1 + number, hours=rng.randint(0, 6))
        report = start_report(session, editor, municipality.code, OPEN_YEAR, carry_over=False, now=moment)
        assert report.id is not None
        submit = number % 2 == 0
        _fill_rows(
            session, editor, report.id, recommendations, maturity[municipality.code], rng, moment, everything=submit
        )
        if not submit:
            continue
        submit_report(session, editor, report.id, now=moment + timedelta(days=2))
        if number == 0:
            send_back_report(
                session,
                reviewer,
                report.id,
                comment=SENT_BACK_COMMENT,
                now=moment + timedelta(days=4),
                composer=composer,
            )
        elif number == 2:
            approve_report(session, reviewer, report.id, now=moment + timedelta(days=3))
    send_reminders(
        session, reviewer, reporting_round.id, municipality_code=None, composer=composer, now=now - timedelta(days=2)
    )


def _fill_rows(
    session: Session,
    editor: Actor,
    report_id: int,
    recommendations: Sequence[Recommendation],
    level: float,
    rng: random.Random,
    moment: datetime,
    *,
    everything: bool,
) -> None:
    """Save rows through the job centre's own save: every row, or about two in three."""
    entries = {
        entry.recommendation_id: entry
        for entry in session.exec(select(StatusEntry).where(StatusEntry.report_id == report_id))
    }
    for offset, rec in enumerate(recommendations):
        entry = entries.get(rec.id or 0)
        if entry is None or entry.id is None or (not everything and rng.random() < 0.35):
            continue
        draw = rng.random()
        colour = Colour.GREEN if draw < level else Colour.YELLOW if draw < level + 0.25 else Colour.RED
        remark = rng.choice(REMARKS[colour]) if colour.needs_remark or rng.random() < 0.5 else ""
        data = EntryInput(colour.value, remark, False, "", entry.version)
        save_entry(session, editor, entry.id, data, now=moment + timedelta(minutes=offset))


def _kkr_id(session: Session) -> int:
    kkr = session.exec(select(Kkr).where(Kkr.name == KKR)).one()
    assert kkr.id is not None
    return kkr.id


def _create_users(session: Session, municipalities: Sequence[Municipality], now: datetime) -> list[DemoLogin]:
    logins = [
        DemoLogin(f"admin@{DOMAIN}", "Administrator", "alt"),
        DemoLogin(f"koordinator@{DOMAIN}", "KKR-koordinator", KKR),
        DemoLogin(f"laeser@{DOMAIN}", "Læser", "indsendte rapporter"),
    ]
    create_user(session, email=logins[0].email, name="Demo Administrator", role=Role.ADMIN, password=PASSWORD, now=now)
    create_user(
        session,
        email=logins[1].email,
        name="Demo Koordinator",
        role=Role.COORDINATOR,
        password=PASSWORD,
        now=now,
        kkr_name=KKR,
    )
    create_user(session, email=logins[2].email, name="Demo Læser", role=Role.READER, password=PASSWORD, now=now)
    # One editor per municipality; hashing once keeps the demo quick to build.
    password_hash = hash_password(PASSWORD)
    for municipality in municipalities:
        email = f"{_slug(municipality.name)}@{DOMAIN}"
        session.add(
            User(
                email=email,
                name=f"Jobcenterchef, {municipality.name} (demo)",
                password_hash=password_hash,
                role=Role.EDITOR,
                municipality_code=municipality.code,
                created_at=now,
            )
        )
        if municipality.code in (ALLEROED, 165):
            logins.append(DemoLogin(email, "Redaktør", f"{municipality.name} Kommune"))
    session.flush()
    return logins


def _slug(name: str) -> str:
    table = str.maketrans({"æ": "ae", "ø": "oe", "å": "aa", " ": "-", "-": "-"})
    return name.lower().translate(table)


def _round(session: Session, year: int, state: RoundState, opens_on: date, now: datetime) -> ReportingRound:
    return create_round(
        session,
        kkr_name=KKR,
        catalogue_key=demo_catalogue_key(year),
        year=year,
        opens_on=opens_on,
        deadline=date(year + 1, 2, 28),
        state=state,
        now=now,
    )


# ---------------------------------------------------------------------------- the past years
# Through the same commands as the open round: the coordinator creates and opens the round, each
# editor starts, fills in and submits the report, the coordinator closes the round, and the
# editor records the committee's handling afterwards.


def _build_past_round(
    session: Session,
    coordinator: Actor,
    year: int,
    municipalities: Sequence[Municipality],
    editors: dict[int, User],
    maturity: dict[int, float],
    rng: random.Random,
) -> None:
    opens_on = date(year + 1, 1, 5)
    opened = datetime.combine(opens_on, time(8), tzinfo=UTC)
    reporting_round = _round(session, year, RoundState.PLANNED, opens_on, opened)
    assert reporting_round.id is not None
    open_round(session, coordinator, reporting_round.id, now=opened)
    recommendations = demo_recommendations(session, year)
    committees: list[tuple[Actor, StatusReport, datetime]] = []
    for municipality in municipalities:
        maturity[municipality.code] = min(0.95, maturity[municipality.code] + rng.uniform(0.0, 0.12))
        if rng.random() < 0.07:  # a few municipalities miss a year
            continue
        editor = actor_of(editors[municipality.code])
        report, met = _past_report(session, editor, municipality, year, opened, recommendations, maturity, rng)
        committees.append((editor, report, met))
    deadline = datetime.combine(reporting_round.deadline, time(16), tzinfo=UTC)
    close_round(session, coordinator, reporting_round.id, now=deadline)
    for editor, report, met in committees:
        assert report.id is not None
        record_committee(
            session,
            editor,
            report.id,
            committee_name="Beskæftigelsesudvalget",
            committee_date=met.date(),
            agenda_url="",
            version=report.version,
            now=met,
        )


def _past_report(
    session: Session,
    editor: Actor,
    municipality: Municipality,
    year: int,
    opened: datetime,
    recommendations: Sequence[Recommendation],
    maturity: dict[int, float],
    rng: random.Random,
) -> tuple[StatusReport, datetime]:
    """One municipality's submitted report of a past year, and when its committee dealt with it."""
    started = opened + timedelta(days=rng.randint(0, 9), hours=rng.randint(0, 7))
    finished = started + timedelta(days=rng.randint(1, 10), hours=rng.randint(0, 6))
    met = datetime.combine(date(year + 1, 3, rng.randint(1, 28)), time(14), tzinfo=UTC)
    report = start_report(session, editor, municipality.code, year, carry_over=False, now=started)
    assert report.id is not None
    entries = {
        entry.recommendation_id: entry
        for entry in session.exec(select(StatusEntry).where(StatusEntry.report_id == report.id))
    }
    stuck = STUCK_ROWS.get(municipality.code, {}).get(year)
    level = maturity[municipality.code]
    for offset, rec in enumerate(recommendations):
        if rec.kind == Kind.KAN and rng.random() < 0.08:
            data = EntryInput(None, "", True, rng.choice(OPT_OUT_REASONS), 0)
        else:
            draw = rng.random()
            colour = Colour.GREEN if draw < level else Colour.YELLOW if draw < level + 0.25 else Colour.RED
            remark = rng.choice(REMARKS[colour]) if colour.needs_remark or rng.random() < 0.5 else ""
            if rec.key == stuck:  # kept red year after year, so "where to act" has something to show
                colour, remark = Colour.RED, STUCK_REMARK
            data = EntryInput(colour.value, remark, False, "", 0)
        entry = entries.get(rec.id or 0)
        if entry is None or entry.id is None:
            continue
        data = replace(data, version=entry.version)
        save_entry(session, editor, entry.id, data, now=started + timedelta(minutes=offset))
    submit_report(session, editor, report.id, now=finished)
    return report, met


def _mark_demo_mail_undeliverable(session: Session, now: datetime) -> None:
    for mail in session.exec(select(OutboxMail).where(OutboxMail.state == MailState.PENDING)):
        mark_failed(session, mail, now=now, error=UNDELIVERABLE, permanent=True)
    session.flush()
