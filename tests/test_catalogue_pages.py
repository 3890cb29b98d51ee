"""The catalogue as a page and as JSON: what a reader of the KKR's catalogue sees."""

from fastapi.testclient import TestClient

CATALOGUE = "/katalog/kkr-hovedstaden-2015"


def test_catalogue_page_shows_guidelines_focus_areas_and_skal_kan_rows(client: TestClient) -> None:
    page = client.get(CATALOGUE)
    assert page.status_code == 200
    text = page.text
    assert "Politiske pejlemærker og anbefalinger til tværkommunale samarbejder på beskæftigelsesområdet" in text
    assert "godkendt 23. februar 2015" in text
    for guideline in ("Beskæftigelsespolitikken som drivkraft for vækst", "Sikre samarbejde på tværs af kommuner"):
        assert guideline in text
    # Focus areas in the Fremdriftsskema's order, each with its SKAL rows before its KAN rows.
    areas = [
        "Virksomhedsrettede indsatser",
        "Borgerrettede indsatser",
        "Opkvalificering af medarbejdere",
        "Dokumentation af effekt af indsats",
    ]
    positions = [text.index(f"<h3>{area}</h3>") for area in areas]
    assert positions == sorted(positions)
    first_area = text[positions[0] : positions[1]]
    assert first_area.index("<h4>SKAL</h4>") < first_area.index("<h4>KAN</h4>")
    assert first_area.count('class="kind kind-skal"') == 3
    assert first_area.count('class="kind kind-kan"') == 1
    assert text.count('class="kind kind-skal"') == 8
    assert text.count('class="kind kind-kan"') == 8
    # The meaning of each colour, with a shape as well as a word.
    for shape, label, meaning in (
        ("●", "Grøn", "Igangsat/gennemført som anbefalet"),
        ("◆", "Gul", "Delvist igangsat"),
        ("■", "Rød", "Ikke igangsat"),
    ):
        assert f"{shape}</span> {label}</dt><dd>{meaning}</dd>" in text


def test_catalogue_list_links_to_the_catalogue(client: TestClient) -> None:
    page = client.get("/katalog")
    assert page.status_code == 200
    assert f'href="{CATALOGUE}"' in page.text
    assert "KKR Hovedstaden" in page.text


def test_unknown_catalogue_is_not_found_as_page_and_as_json(client: TestClient) -> None:
    assert client.get("/katalog/findes-ikke").status_code == 404
    response = client.get("/api/catalogues/findes-ikke")
    assert response.status_code == 404
    assert response.json()["detail"] == "Kataloget 'findes-ikke' findes ikke."


def test_catalogue_as_json_has_the_whole_catalogue(client: TestClient) -> None:
    listing = client.get("/api/catalogues").json()
    assert listing == [
        {
            "id": "kkr-hovedstaden-2015",
            "kkr": "KKR Hovedstaden",
            "title": "Politiske pejlemærker og anbefalinger til tværkommunale samarbejder på beskæftigelsesområdet",
            "adopted": "2015-02-23",
        }
    ]
    catalogue = client.get("/api/catalogues/kkr-hovedstaden-2015").json()
    assert catalogue["colours"] == {
        "green": "Igangsat/gennemført som anbefalet",
        "yellow": "Delvist igangsat",
        "red": "Ikke igangsat",
    }
    assert len(catalogue["guidelines"]) == 6
    assert [area["id"] for area in catalogue["focus_areas"]] == [
        "virksomhedsrettede",
        "borgerrettede",
        "medarbejdere",
        "dokumentation",
    ]
    recommendations = [rec for area in catalogue["focus_areas"] for rec in area["recommendations"]]
    assert [rec["kind"] for rec in recommendations].count("skal") == 8
    assert [rec["kind"] for rec in recommendations].count("kan") == 8
    assert recommendations[2] == {
        "id": "hov15-v3",
        "kind": "skal",
        "text": "Alle kommuner skal være en del af et formaliseret samarbejde vedr. jobrotation.",
        "first_year": 2015,
        "last_year": None,
        "replaces": [],
    }


def test_api_docs_are_served_from_the_app_itself(client: TestClient) -> None:
    docs = client.get("/api/docs")
    assert docs.status_code == 200
    assert 'src="/static/vendor/swagger-ui/swagger-ui-bundle.js"' in docs.text
    assert "://" not in docs.text  # every script, style and the spec come from this app
    assert client.get("/static/vendor/swagger-ui/swagger-ui-bundle.js").status_code == 200
    assert client.get("/api/openapi.json").json()["info"]["title"] == "Fremdrift API"
    assert client.get("/static/vendor/htmx-2.0.11.min.js").status_code == 200
