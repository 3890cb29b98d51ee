"""The municipality register that ships with the product: 98 municipalities in 5 KKRs."""

from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import func
from sqlmodel import col, select
from typer.testing import CliRunner

from app.cli import REGISTER_FILE
from app.cli import app as cli_app
from app.config import get_settings
from app.db import Database
from app.domain.municipalities import load_register, read_register
from app.models import Kkr, Municipality
from tests.dump import dump_database

KKR_SIZES = {
    "KKR Hovedstaden": 29,
    "KKR Sjælland": 17,
    "KKR Syddanmark": 22,
    "KKR Midtjylland": 19,
    "KKR Nordjylland": 11,
}


def test_register_file_lists_98_municipalities_with_unique_codes_and_names() -> None:
    rows = read_register(REGISTER_FILE)
    assert len(rows) == 98
    assert len({row.code for row in rows}) == 98
    assert len({row.name for row in rows}) == 98
    assert all(100 <= row.code <= 999 for row in rows)
    assert Counter(row.kkr for row in rows) == KKR_SIZES


def test_database_holds_every_municipality_in_its_kkr(db: Database) -> None:
    with db.read() as session:
        codes = session.exec(select(Municipality.code)).all()
        sizes = dict(
            session.exec(
                select(Kkr.name, func.count(col(Municipality.code)))
                .join(Municipality, col(Municipality.kkr_id) == Kkr.id)
                .group_by(Kkr.name)
            ).all()
        )
        spot = {
            m.code: (m.name, kkr)
            for m, kkr in session.exec(
                select(Municipality, Kkr.name)
                .join(Kkr, col(Kkr.id) == Municipality.kkr_id)
                .where(col(Municipality.code).in_([101, 751, 201, 400, 860]))
            )
        }
    assert len(codes) == len(set(codes)) == 98
    assert sizes == KKR_SIZES
    assert spot == {
        101: ("København", "KKR Hovedstaden"),
        201: ("Allerød", "KKR Hovedstaden"),
        400: ("Bornholm", "KKR Hovedstaden"),
        751: ("Aarhus", "KKR Midtjylland"),
        860: ("Hjørring", "KKR Nordjylland"),
    }


def test_loading_the_register_again_changes_nothing(db: Database) -> None:
    before = dump_database(db)  # the register is loaded once by `fremdrift db upgrade` already
    with db.write() as session:
        assert load_register(session, read_register(REGISTER_FILE)) == 0
    with db.write() as session:
        assert load_register(session, read_register(REGISTER_FILE)) == 0
    assert dump_database(db) == before


def test_db_upgrade_loads_the_register_once_and_then_reports_no_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'fremdrift.db'}")
    get_settings.cache_clear()
    try:
        runner = CliRunner()
        first = runner.invoke(cli_app, ["db", "upgrade"])
        second = runner.invoke(cli_app, ["db", "upgrade"])
    finally:
        get_settings.cache_clear()
    assert first.exit_code == 0, first.output
    # 5 KKRs and 98 municipalities
    assert first.stdout == "Databasen er opdateret. Kommuneregistret: 103 ændringer.\n"
    assert second.stdout == "Databasen er opdateret. Kommuneregistret: 0 ændringer.\n"
