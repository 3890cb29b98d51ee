"""The ``fremdrift`` command line."""

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy import inspect

from app import migrate
from app.config import SEED_DIR, get_settings
from app.db import Database
from app.domain.catalogue import CatalogueInvalid, load_catalogue, parse_catalogue_file
from app.domain.municipalities import load_register, read_register

app = typer.Typer(
    help="Fremdrift: opfølgning på KKR's anbefalinger til tværkommunale samarbejder.",
    no_args_is_help=True,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
)
db_app = typer.Typer(help="Databasen: opgradering og migrationer.", no_args_is_help=True)
catalogue_app = typer.Typer(help="Kataloger over anbefalinger (YAML).", no_args_is_help=True)
users_app = typer.Typer(help="Brugere og deres adgang.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(catalogue_app, name="catalogue")
app.add_typer(users_app, name="users")

REGISTER_FILE = SEED_DIR / "municipalities.csv"
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
