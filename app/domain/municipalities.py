"""The register of the 98 municipalities and their KKRs, shipped in seed/municipalities.csv."""

import csv
from dataclasses import dataclass
from pathlib import Path

from sqlmodel import Session, select

from app.models import Kkr, Municipality


@dataclass(frozen=True)
class RegisterRow:
    code: int
    name: str
    kkr: str


def find_kkr(session: Session, name: str) -> Kkr | None:
    return session.exec(select(Kkr).where(Kkr.name == name)).first()


def read_register(path: Path) -> list[RegisterRow]:
    with path.open(encoding="utf-8", newline="") as handle:
        return [
            RegisterRow(code=int(row["code"]), name=row["name"].strip(), kkr=row["kkr"].strip())
            for row in csv.DictReader(handle)
        ]


def load_register(session: Session, rows: list[RegisterRow]) -> int:
    """Bring KKRs and municipalities in line with the register. Returns how many rows changed.

    Idempotent: a second run changes nothing. Municipalities are never deleted, since reports
    refer to them.
    """
    changes = 0
    kkrs = {kkr.name: kkr for kkr in session.exec(select(Kkr))}
    for name in sorted({row.kkr for row in rows} - set(kkrs)):
        kkrs[name] = Kkr(name=name)
        session.add(kkrs[name])
        changes += 1
    session.flush()

    existing = {m.code: m for m in session.exec(select(Municipality))}
    for row in rows:
        kkr_id = kkrs[row.kkr].id
        assert kkr_id is not None
        municipality = existing.get(row.code)
        if municipality is None:
            session.add(Municipality(code=row.code, name=row.name, kkr_id=kkr_id))
            changes += 1
        elif (municipality.name, municipality.kkr_id) != (row.name, kkr_id):
            municipality.name, municipality.kkr_id = row.name, kkr_id
            session.add(municipality)
            changes += 1
    session.flush()
    return changes
