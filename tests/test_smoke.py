from fastapi.testclient import TestClient

from app.db import Database
from app.domain.access import Role
from tests.factories import ALLEROED, entry, login, make_round, make_user, start


def test_editor_saves_a_row_and_sees_it_saved(client: TestClient, db: Database) -> None:
    make_round(db)
    editor = make_user(db, Role.EDITOR, name="Jette Jobcenterchef")
    report = start(db, editor, ALLEROED)
    token = login(client, editor)
    assert report.id is not None
    row = entry(db, report.id, "hov15-v1")
    response = client.post(
        f"/raekker/{row.id}",
        data={"colour": "yellow", "remark": "<script>alert(1)</script> i gang", "version": row.version},
        headers={"X-CSRF-Token": token, "HX-Request": "true"},
    )
    assert response.status_code == 200, response.text
    assert "Gemt" in response.text
    assert "&lt;script&gt;" in response.text
    page = client.get(f"/kommuner/{ALLEROED}/2025")
    assert page.status_code == 200
    assert "Jette Jobcenterchef" in page.text
