"""The ``fremdrift`` command line."""

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any

import typer
import uvicorn
from sqlalchemy import inspect
from sqlalchemy.engine import make_url
from sqlmodel import Session, select

from app import migrate
from app.backup import BackupError, backup_sqlite, export_all, import_all, read_export, write_export
from app.config import SEED_DIR, get_settings
from app.db import Database, is_sqlite
from app.demo import PASSWORD as DEMO_PASSWORD
from app.demo import build_demo
from app.domain.access import Actor
from app.domain.accounts import actor_of, create_user, normalise_email
from app.domain.accounts.admin import Doer, deactivate_user, invite_user, list_users, resend_invitation
from app.domain.accounts.audit import CLI_ADDRESS, record
from app.domain.accounts.links import LinkPolicy
from app.domain.accounts.users import AccountInput, account_scope, find_user_by_email, user_state
from app.domain.catalogue import load_catalogue
from app.domain.catalogue_file import CatalogueInvalid, parse_catalogue_file
from app.domain.documents.reading import consolidated_for, council_for, get_round_of_kkr
from app.domain.documents.shapes import ConsolidatedReport, CouncilReport
from app.domain.errors import DomainError, InvalidInput, NotFound
from app.domain.exports import offline_workbook, report_export, round_export
from app.domain.imports import Choice, ImportConflicts, ImportRefused, import_workbook
from app.domain.municipalities import find_kkr, load_register, read_register
from app.domain.rounds import create_round, get_round
from app.domain.rounds.followup import follow_up
from app.domain.rounds.lifecycle import (
    close_round,
    edition_choices,
    list_rounds,
    open_round,
    parse_reminder_days,
    reopen_round,
)
from app.domain.vocabulary import AuditAction, Role, UserState
from app.mail.compose import Composer
from app.models import User
from app.spreadsheets.offline import write_offline_workbook
from app.spreadsheets.reading import read_filled_workbook
from app.spreadsheets.tables import export_csv, export_xlsx
from app.worker import Worker, jobs_for, run_once

app = typer.Typer(
    help="Fremdrift: opfølgning på KKR's anbefalinger til tværkommunale samarbejder.",
    no_args_is_help=True,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
)
db_app = typer.Typer(help="Databasen: opgradering og migrationer.", no_args_is_help=True)
catalogue_app = typer.Typer(help="Kataloger over anbefalinger (YAML).", no_args_is_help=True)
users_app = typer.Typer(help="Brugere og deres adgang.", no_args_is_help=True)
rounds_app = typer.Typer(help="Opfølgningsrunder: opret, åbn, luk og vis.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(rounds_app, name="rounds")
app.add_typer(catalogue_app, name="catalogue")
app.add_typer(users_app, name="users")
report_app = typer.Typer(
    help="Rapporterne som PDF (PDF/UA): den samlede afrapportering og kommunens egen.", no_args_is_help=True
)
app.add_typer(report_app, name="report")

REGISTER_FILE = SEED_DIR / "municipalities.csv"
# The operator at the command line acts with an admin's reach.
SYSTEM = Actor(user_id=0, role=Role.ADMIN)
DEFAULT_CATALOGUE = SEED_DIR / "recommendations.yaml"


def _now() -> datetime:
    return datetime.now(UTC)


def _database() -> Database:
    return Database(get_settings().database_url)


def upgrade_database(database_url: str) -> int:
    """Migrate to the newest schema and bring the municipality register up to date."""
    migrate.upgrade(database_url)
    database = Database(database_url)
    try:
        with database.write() as session:
            return load_register(session, read_register(REGISTER_FILE))
    finally:
        database.dispose()


# ---------------------------------------------------------------------------- db


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Opgrader databasen til nyeste skema og indlæs kommuneregistret (98 kommuner)."""
    url = get_settings().database_url
    changes = upgrade_database(url)
    typer.echo(f"Databasen er opdateret. Kommuneregistret: {changes} ændringer.")


@db_app.command("revision")
def db_revision(
    message: Annotated[str, typer.Option("--message", "-m", help="Kort beskrivelse.")],
) -> None:
    """Skriv en ny migration ud fra forskellen mellem modellerne og databasen (for udviklere)."""
    migrate.revision(get_settings().database_url, message)


# ---------------------------------------------------------------------------- catalogue

CatalogueFile = Annotated[Path, typer.Argument(help="Katalogfilen (YAML).", show_default=False)]


def _report_invalid(error: CatalogueInvalid) -> None:
    typer.echo(f"Kataloget er ugyldigt ({len(error.problems)} fejl):", err=True)
    for problem in error.problems:
        typer.echo(f"  {problem}", err=True)
    raise typer.Exit(code=1)


@catalogue_app.command("validate")
def catalogue_validate(file: CatalogueFile) -> None:
    """Kontrollér en katalogfil uden at gemme noget.

    Filen kontrolleres for sig, og, når databasen er sat op, også mod det, databasen allerede
    rummer (id'er i andre kataloger, anbefalinger der erstattes, anbefalinger med statusser).
    """
    try:
        parsed = parse_catalogue_file(file)
        database = _database()
        try:
            if inspect(database.read_engine).has_table("catalogue"):
                with database.write() as session:
                    load_catalogue(session, parsed, now=_now())
                    session.rollback()
                checked = "filen og databasen"
            else:
                checked = "filen (databasen er ikke sat op)"
        finally:
            database.dispose()
    except CatalogueInvalid as error:
        _report_invalid(error)
    spec = parsed.spec
    typer.echo(
        f"{file}: gyldig ({checked} kontrolleret). {spec.id}: {len(spec.guidelines)} pejlemærker, "
        f"{len(spec.focus_areas)} fokusområder, {len(spec.recommendations)} anbefalinger."
    )


@catalogue_app.command("load")
def catalogue_load(file: CatalogueFile) -> None:
    """Indlæs en katalogfil. Intet gemmes, hvis filen har fejl; samme fil to gange ændrer intet."""
    database = _database()
    try:
        parsed = parse_catalogue_file(file)
        with database.write() as session:
            summary = load_catalogue(session, parsed, now=_now())
    except CatalogueInvalid as error:
        _report_invalid(error)
    finally:
        database.dispose()
    if not summary.changed:
        typer.echo(f"{summary.catalogue_key}: uændret.")
        return
    typer.echo(
        f"{summary.catalogue_key}: {len(summary.created)} oprettet, "
        f"{len(summary.updated)} opdateret, {len(summary.removed)} fjernet."
    )


# ---------------------------------------------------------------------------- users


def _cli_doer() -> Doer:
    return Doer(None, "", CLI_ADDRESS)


def _link_policy() -> LinkPolicy:
    settings = get_settings()
    return LinkPolicy(
        invitation_lifetime=timedelta(hours=settings.invitation_link_hours),
        reset_lifetime=timedelta(hours=settings.reset_link_hours),
    )


Email = Annotated[str, typer.Argument(help="E-mailadressen, som brugeren logger ind med.", show_default=False)]
RoleOption = Annotated[Role, typer.Option(help="Rolle: admin, coordinator, editor eller reader.", show_default=False)]
NameOption = Annotated[str, typer.Option(help="Navnet, der vises ved ændringer.")]
UserKkrOption = Annotated[
    str | None, typer.Option("--kkr", help='KKR for en koordinator (eller læser), fx "KKR Hovedstaden".')
]
MunicipalityOption = Annotated[int | None, typer.Option(help="Kommunekode for en redaktør, fx 201.")]


@users_app.command("add")
def users_add(
    email: Email,
    role: RoleOption,
    name: NameOption = "",
    kkr: UserKkrOption = None,
    municipality: MunicipalityOption = None,
    password: Annotated[
        str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True, help="Mindst 12 tegn.")
    ] = "",
) -> None:
    """Opret en bruger med rolle, adgang og adgangskode (koordinator: en KKR; redaktør: en kommune)."""
    database = _database()
    try:
        with database.write() as session:
            user = create_user(
                session,
                email=email,
                name=name,
                role=role,
                password=password,
                now=_now(),
                kkr_name=kkr,
                municipality_code=municipality,
            )
            assert user.id is not None
            record(
                session,
                AuditAction.CREATED,
                now=_now(),
                client_ip=CLI_ADDRESS,
                actor_id=None,
                subject_id=user.id,
                kkr_id=account_scope(session, user).kkr_id,
                detail=f"{user.role.label}, med adgangskode",
            )
            typer.echo(f"Oprettet: {user.email} ({role.label}).")
    except DomainError as error:
        _fail(error)
    finally:
        database.dispose()


@users_app.command("invite")
def users_invite(
    email: Email,
    role: RoleOption,
    name: NameOption = "",
    kkr: UserKkrOption = None,
    municipality: MunicipalityOption = None,
) -> None:
    """Opret en bruger og send en invitation med et engangslink til at vælge adgangskode.

    Findes brugeren allerede uden adgangskode, sendes invitationen igen (det gamle link holder op
    med at virke). Mailen går gennem udbakken og sendes af `fremdrift serve` eller `fremdrift worker`.
    """
    database = _database()
    composer = Composer(get_settings().public_url)
    try:
        with database.write() as session:
            existing = find_user_by_email(session, email)
            if existing is not None and user_state(existing) is UserState.INVITED:
                user = resend_invitation(
                    session, _cli_doer(), existing, now=_now(), policy=_link_policy(), composer=composer
                )
                typer.echo(f"Invitationen er sendt igen til {user.email}.")
                return
            data = AccountInput(email, name, role, kkr, municipality)
            user = invite_user(session, _cli_doer(), data, now=_now(), policy=_link_policy(), composer=composer)
            typer.echo(f"Inviteret: {user.email} ({role.label}). Mailen ligger i udbakken.")
    except DomainError as error:
        _fail(error)
    finally:
        database.dispose()


@users_app.command("list")
def users_list(
    search: Annotated[
        str, typer.Option(help="Vis kun brugere, hvis navn, e-mail eller kommune indeholder teksten.")
    ] = "",
) -> None:
    """Vis alle brugere med rolle, adgang, tilstand og seneste log ind."""
    database = _database()
    try:
        with database.read() as session:
            rows = list_users(session, SYSTEM, search=search)
    finally:
        database.dispose()
    for row in rows:
        last = row.user.last_login_at.strftime("%Y-%m-%d %H:%M") if row.user.last_login_at else "aldrig"
        typer.echo(f"{row.user.email:40} {row.user.role.label:20} {row.scope or '-':24} {row.state.label:12} {last}")
    typer.echo(f"{len(rows)} brugere.")


@users_app.command("deactivate")
def users_deactivate(email: Email) -> None:
    """Deaktiver en bruger: logges ud med det samme og kan ikke logge ind. Kontoen slettes aldrig."""
    database = _database()
    try:
        with database.write() as session:
            user = find_user_by_email(session, email)
            if user is None:
                raise NotFound(f"Der findes ingen bruger med e-mailen {normalise_email(email)}.")
            deactivate_user(session, _cli_doer(), user, now=_now())
            typer.echo(f"Deaktiveret: {user.email}.")
    except DomainError as error:
        _fail(error)
    finally:
        database.dispose()


# ---------------------------------------------------------------------------- rounds

KkrOption = Annotated[str, typer.Option("--kkr", help='KKR\'en, fx "KKR Hovedstaden".', show_default=False)]
YearArgument = Annotated[int, typer.Argument(help="Statusåret, fx 2025.", show_default=False)]


def _fail(error: DomainError) -> None:
    typer.echo(f"Fejl: {error.message}", err=True)
    raise typer.Exit(code=1)


@rounds_app.command("create")
def rounds_create(
    year: YearArgument,
    kkr: KkrOption,
    opens: Annotated[datetime, typer.Option(formats=["%Y-%m-%d"], help="Åbningsdato (åååå-mm-dd).")],
    deadline: Annotated[datetime, typer.Option(formats=["%Y-%m-%d"], help="Frist (åååå-mm-dd).")],
    catalogue: Annotated[
        str, typer.Option(help="Katalogudgavens id; uden: den udgave, hvis år dækker statusåret.")
    ] = "",
    reminders: Annotated[str, typer.Option(help="Påmindelser, dage før fristen (-1: dagen efter).")] = "14,3,-1",
) -> None:
    """Opret en planlagt runde for et statusår (kommunerne ser den først, når den åbnes)."""
    database = _database()
    try:
        with database.write() as session:
            kkr_row = find_kkr(session, kkr)
            if kkr_row is None:
                raise InvalidInput(f"Ukendt KKR {kkr!r}.", field="kkr")
            key = catalogue or next(iter(c.catalogue.key for c in edition_choices(session, kkr_row.id or 0, year)), "")
            created = create_round(
                session,
                kkr_name=kkr,
                catalogue_key=key,
                year=year,
                opens_on=opens.date(),
                deadline=deadline.date(),
                now=_now(),
                reminder_days=parse_reminder_days(reminders),
            )
            typer.echo(
                f"Oprettet: {kkr} {created.year} (katalog {key}), planlagt. Åbn den med `fremdrift rounds open`."
            )
    except DomainError as error:
        _fail(error)
    finally:
        database.dispose()


def _change_round(kkr: str, year: int, command: Any, done: str) -> None:
    database = _database()
    try:
        with database.write() as session:
            kkr_row = find_kkr(session, kkr)
            if kkr_row is None:
                raise InvalidInput(f"Ukendt KKR {kkr!r}.", field="kkr")
            reporting_round = get_round(session, kkr_row.id or 0, year)
            assert reporting_round.id is not None
            command(session, None, reporting_round.id, now=_now())
        typer.echo(f"{kkr} {year}: {done}.")
    except DomainError as error:
        _fail(error)
    finally:
        database.dispose()


@rounds_app.command("open")
def rounds_open(year: YearArgument, kkr: KkrOption) -> None:
    """Åbn en planlagt runde for kommunerne."""
    _change_round(kkr, year, open_round, "åbnet")


@rounds_app.command("close")
def rounds_close(year: YearArgument, kkr: KkrOption) -> None:
    """Luk en åben runde: rapporterne bliver skrivebeskyttede for kommunerne."""
    _change_round(kkr, year, close_round, "lukket")


@rounds_app.command("reopen")
def rounds_reopen(year: YearArgument, kkr: KkrOption) -> None:
    """Genåbn en lukket runde."""
    _change_round(kkr, year, reopen_round, "genåbnet")


@rounds_app.command("list")
def rounds_list(
    kkr: Annotated[str | None, typer.Option("--kkr", help="Kun denne KKR.")] = None,
) -> None:
    """Vis runderne med status, frist og hvor mange der har indsendt."""
    database = _database()
    try:
        with database.read() as session:
            summaries = list_rounds(session, kkr_name=kkr)
            if not summaries:
                typer.echo("Ingen runder.")
            for item in summaries:
                assert item.round.id is not None
                overview = follow_up(session, SYSTEM, item.round.id, now=_now())
                typer.echo(
                    f"{item.kkr.name} {item.round.year}: {item.round.state.label.lower()}, "
                    f"frist {item.round.deadline.isoformat()}, {overview.submitted} af {overview.total} indsendt "
                    f"(katalog {item.catalogue.key})"
                )
    finally:
        database.dispose()


# ---------------------------------------------------------------------------- backup and moving data

BackupFile = Annotated[Path, typer.Argument(help="Filen, der skrives til eller læses fra.", show_default=False)]


@app.command("backup")
def backup(file: BackupFile) -> None:
    """Tag en konsistent kopi af SQLite-databasen, mens serveren kører (SQLites online backup)."""
    try:
        pages = backup_sqlite(get_settings().database_url, file)
    except BackupError as error:
        typer.echo(f"Fejl: {error.message}", err=True)
        raise typer.Exit(code=1) from None
    typer.echo(f"Kopi gemt i {file} ({pages} sider, integritetstjek ok).")


@app.command("export-all")
def export_all_command(file: BackupFile) -> None:
    """Skriv alle data (alle tabeller) til en JSON-fil, som import-all kan læse i SQLite eller PostgreSQL."""
    database = _database()
    try:
        export = export_all(database)
    finally:
        database.dispose()
    write_export(export, file)
    rows = sum(len(table["rows"]) for table in export["tables"].values())
    typer.echo(f"{rows} rækker fra {len(export['tables'])} tabeller skrevet til {file}.")


@app.command("import-all")
def import_all_command(
    file: BackupFile,
    replace: Annotated[bool, typer.Option(help="Slet alt i databasen først (ellers skal den være tom).")] = False,
) -> None:
    """Indlæs en fil fra export-all i en database opgraderet til samme skemaversion (én transaktion)."""
    database = _database()
    try:
        loaded = import_all(database, read_export(file), replace=replace)
    except BackupError as error:
        typer.echo(f"Fejl: {error.message}", err=True)
        raise typer.Exit(code=1) from None
    finally:
        database.dispose()
    typer.echo(f"{sum(loaded.values())} rækker indlæst i {len(loaded)} tabeller.")


# ---------------------------------------------------------------------------- spreadsheets

SPREADSHEET_FORMATS = ("csv", "csv-komma", "xlsx", "skema")


def _acting_user(session: Session, email: str) -> Actor:
    user = session.exec(select(User).where(User.email == normalise_email(email))).first()
    if user is None or user.id is None:
        raise NotFound(f"Der er ingen bruger med e-mailen {email}.")
    return actor_of(user)


@app.command("export")
def export(
    output: Annotated[Path, typer.Argument(help="Filen, der skrives.", show_default=False)],
    year: Annotated[int, typer.Option(help="Statusåret, fx 2025.", show_default=False)],
    as_user: Annotated[str, typer.Option("--as", help="E-mail på brugeren, hvis adgang gælder.", show_default=False)],
    kkr: Annotated[str | None, typer.Option(help='Hele runden for en KKR, fx "KKR Hovedstaden".')] = None,
    municipality: Annotated[int | None, typer.Option(help="Én kommunes rapport, fx 201.")] = None,
    format: Annotated[
        str, typer.Option(help="csv (semikolon, BOM), csv-komma, xlsx, eller skema (projektmappen til udfyldning).")
    ] = "csv",
) -> None:
    """Skriv status som CSV eller Excel (en runde eller én kommune), eller skemaet til udfyldning."""
    if format not in SPREADSHEET_FORMATS or (kkr is None) == (municipality is None):
        typer.echo(
            "Fejl: angiv enten --kkr eller --municipality, og --format " + "|".join(SPREADSHEET_FORMATS), err=True
        )
        raise typer.Exit(code=2)
    database = _database()
    try:
        with database.read() as session:
            actor = _acting_user(session, as_user)
            if format == "skema":
                if municipality is None:
                    raise InvalidInput("Skemaet til udfyldning laves for én kommune: brug --municipality.")
                content = write_offline_workbook(offline_workbook(session, actor, municipality, year))
            else:
                if kkr is not None:
                    found = find_kkr(session, kkr)
                    if found is None or found.id is None:
                        raise NotFound(f"Ukendt KKR {kkr!r}.")
                    table = round_export(session, actor, found.id, year)
                else:
                    assert municipality is not None
                    table = report_export(session, actor, municipality, year)
                content = (
                    export_xlsx(table)
                    if format == "xlsx"
                    else export_csv(table, "comma" if format == "csv-komma" else "semicolon")
                )
    except DomainError as error:
        typer.echo(f"Fejl: {error.message}", err=True)
        raise typer.Exit(code=1) from None
    finally:
        database.dispose()
    output.write_bytes(content)
    typer.echo(f"Skrevet: {output} ({len(content):,} bytes).".replace(",", "."))


@app.command("import")
def import_(
    file: Annotated[Path, typer.Argument(help="Den udfyldte projektmappe (.xlsx).", show_default=False)],
    municipality: Annotated[int, typer.Option(help="Kommunekoden, fx 201.", show_default=False)],
    year: Annotated[int, typer.Option(help="Statusåret, fx 2025.", show_default=False)],
    as_user: Annotated[
        str, typer.Option("--as", help="E-mail på redaktøren, der står i historikken.", show_default=False)
    ],
    keep: Annotated[
        list[str] | None,
        typer.Option(help="Efter en konflikt: ANBEFALING=mine (projektmappens) eller =theirs (den gemte)."),
    ] = None,
) -> None:
    """Indlæs en udfyldt projektmappe: alt eller intet. Fejl vises med ark, række og kolonne."""
    wanted = dict(item.split("=", 1) for item in keep or [] if "=" in item)
    database = _database()
    try:
        workbook = read_filled_workbook(file.read_bytes(), file.name)
        choices: dict[int, Choice] = {}
        for _attempt in range(2):
            try:
                with database.write() as session:
                    actor = _acting_user(session, as_user)
                    result = import_workbook(session, actor, municipality, year, workbook, choices=choices, now=_now())
                break
            except ImportConflicts as conflicts:
                open_rows = [c for c in conflicts.conflicts if wanted.get(c.key) not in ("mine", "theirs")]
                if open_rows or choices:
                    typer.echo(conflicts.message, err=True)
                    for c in conflicts.conflicts:
                        typer.echo(f"  række {c.row}, {c.key}: gemt af {c.theirs.updated_by or 'en anden'}", err=True)
                    typer.echo("Vælg med --keep ANBEFALING=mine eller --keep ANBEFALING=theirs.", err=True)
                    raise typer.Exit(code=2) from None
                choices = {
                    c.entry_id: Choice("mine" if wanted[c.key] == "mine" else "theirs", c.theirs.version)
                    for c in conflicts.conflicts
                }
    except ImportRefused as refused:
        typer.echo(refused.message, err=True)
        for problem in refused.problems:
            typer.echo(f"  {problem}", err=True)
        raise typer.Exit(code=1) from None
    except DomainError as error:
        typer.echo(f"Fejl: {error.message}", err=True)
        raise typer.Exit(code=1) from None
    finally:
        database.dispose()
    typer.echo(
        f"Indlæst: {len(result.changed)} rækker ændret, {result.unchanged} uændret"
        + (f", {len(result.kept_online)} beholdt som gemt online." if result.kept_online else ".")
    )


# ---------------------------------------------------------------------------- report

# The command line is the operator's: it reads every report, as an administrator does.
OPERATOR = Actor(user_id=0, role=Role.ADMIN)
OutputFile = Annotated[Path, typer.Option("--output", "-o", help="PDF-filen, der skrives.", show_default=False)]


def _write_report(build: Callable[[Session], ConsolidatedReport | CouncilReport], output: Path) -> None:
    from app.pdf.documents import render_document

    database = _database()
    try:
        with database.read() as session:
            document = build(session)
    except DomainError as error:
        typer.echo(f"Fejl: {error.message}", err=True)
        raise typer.Exit(code=1) from None
    finally:
        database.dispose()
    result = render_document(document)
    output.write_bytes(result.pdf)
    typer.echo(f"{output}: {result.pages} sider, {len(result.pdf) // 1024} kB, dannet på {result.seconds:.1f} s.")


@report_app.command("kkr")
def report_kkr(
    kkr: Annotated[str, typer.Option(help='KKR\'en, fx "KKR Hovedstaden".', show_default=False)],
    year: Annotated[int, typer.Option(help="Statusåret, fx 2025.", show_default=False)],
    output: OutputFile,
) -> None:
    """Skriv den samlede afrapportering for en KKR og et år (offentliggjort: som offentliggjort)."""

    def build(session: Session) -> ConsolidatedReport:
        reporting_round = get_round_of_kkr(session, kkr, year)
        assert reporting_round.id is not None
        return consolidated_for(session, OPERATOR, reporting_round.id).report

    _write_report(build, output)


@report_app.command("municipality")
def report_municipality(
    code: Annotated[int, typer.Option(help="Kommunekoden, fx 201.", show_default=False)],
    year: Annotated[int, typer.Option(help="Statusåret, fx 2025.", show_default=False)],
    output: OutputFile,
) -> None:
    """Skriv kommunens statusrapport til kommunalbestyrelsen (fremdriftsskemaet udfyldt)."""
    _write_report(lambda session: council_for(session, OPERATOR, code, year).report, output)


@report_app.command("worker")
def report_worker(
    interval: Annotated[float, typer.Option(help="Sekunder mellem hver kørsel.")] = 2.0,
    once: Annotated[bool, typer.Option(help="Kør én gang og stop (til cron og test).")] = False,
) -> None:
    """Hold rapporterne dannet: dan de PDF'er, hvis data er ændret (kan køre i flere processer)."""
    from app.pdf.jobs import render_due_reports, render_in_render_process

    database = _database()
    typer.echo("Rapport-workeren kører (stop med Ctrl+C).")
    try:
        while True:
            rendered = render_due_reports(database, _now(), render=render_in_render_process)
            if rendered:
                typer.echo(f"{rendered} PDF'er dannet.")
            if once:
                return
            time.sleep(interval)
    except KeyboardInterrupt:
        return
    finally:
        database.dispose()


# ---------------------------------------------------------------------------- demo and serve


@app.command("demo")
def demo(
    reset: Annotated[bool, typer.Option(help="Slet SQLite-filen i DATABASE_URL først (kun SQLite).")] = False,
) -> None:
    """Byg en demodatabase: katalog, 98 kommuner, brugere og fiktive statusser for KKR Hovedstaden."""
    url = get_settings().database_url
    if reset and is_sqlite(url):
        path = make_url(url).database
        for suffix in ("", "-wal", "-shm"):
            if path and Path(path + suffix).exists():
                Path(path + suffix).unlink()
    upgrade_database(url)
    database = Database(url)
    try:
        with database.read() as session:
            if session.exec(select(User).limit(1)).first() is not None:
                typer.echo("Databasen har allerede brugere; demodata er ikke bygget igen (brug --reset).")
                return
        with database.write() as session:
            logins = build_demo(session, catalogue_path=DEFAULT_CATALOGUE, now=_now())
    finally:
        database.dispose()
    typer.echo("Demodata er bygget. Alle statusser og bemærkninger er fiktive.")
    typer.echo(f"Log ind med adgangskoden {DEMO_PASSWORD!r} som:")
    for login in logins:
        typer.echo(f"  {login.email:40} {login.role} ({login.scope})")


@app.command("serve")
def serve(
    host: Annotated[str, typer.Option(help="Adressen, der lyttes på.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Porten.")] = 8000,
    workers: Annotated[int, typer.Option(help="Antal processer (PostgreSQL tåler flere).")] = 1,
) -> None:
    """Start webserveren (uvicorn) og, medmindre FREMDRIFT_WORKER_IN_SERVE=false, baggrundsjobbene.

    X-Forwarded-For troes kun fra de proxyer, der står i FREMDRIFT_TRUSTED_PROXIES (som standard ingen).
    """
    settings = get_settings()
    background = None
    if settings.worker_in_serve:
        background = Worker(_database(), jobs_for(settings), interval=settings.worker_interval_seconds)
        background.start()
    typer.echo(f"Fremdrift kører på http://{host}:{port}/  (stop med Ctrl+C)")
    trusted = trusted_proxies()
    try:
        uvicorn.run(
            "app.main:create_app",
            factory=True,
            host=host,
            port=port,
            workers=workers,
            proxy_headers=bool(trusted),
            forwarded_allow_ips=trusted or None,
        )
    finally:
        if background is not None:
            background.stop()
            background.database.dispose()


def trusted_proxies() -> list[str]:
    """uvicorn's proxy settings: forwarded headers believed only from the proxies named in the
    settings. (uvicorn's own default would trust 127.0.0.1, so that anyone on the machine, or
    any local proxy passing the header through, could pose as any address.)"""
    return [part.strip() for part in get_settings().trusted_proxies.split(",") if part.strip()]


@app.command("worker")
def worker(
    once: Annotated[bool, typer.Option(help="Kør hvert job én gang og stop.")] = False,
) -> None:
    """Kør baggrundsjobbene (udbakkens afsendelse, planlagte påmindelser) i en proces for sig.

    Sæt FREMDRIFT_WORKER_IN_SERVE=false for webserveren, når denne kører.
    """
    settings = get_settings()
    database = _database()
    jobs = jobs_for(settings)
    try:
        if once:
            for name, result in run_once(database, jobs, _now()).items():
                typer.echo(f"{name}: {result}")
            return
        typer.echo(f"Baggrundsjobbene kører hvert {settings.worker_interval_seconds:g}. sekund (stop med Ctrl+C).")
        loop = Worker(database, jobs, interval=settings.worker_interval_seconds)
        try:
            loop.run()
        except KeyboardInterrupt:
            loop.stopping.set()
    finally:
        database.dispose()
