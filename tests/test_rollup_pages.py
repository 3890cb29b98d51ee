"""The matrix, the drill-down, where to act and a municipality's years, as users see them, and
the API returning the same figures."""

import pytest

from app.domain.vocabulary import Colour, ReportState
from tests.factories import ALLEROED, CATALOGUE
from tests.html_table import tables
from tests.rollup_data import ReportPlan, RowPlan, make_closed_round, write_plan
from tests.scenarios import FREDERIKSBERG, YEAR, World

ROWS = ("v1", "v2", "v3", "v4", "b1", "b2", "b3", "b4", "b5", "o1", "o2", "o3", "o4", "d1", "d2", "d3")
ALL_HOV15 = [f"hov15-{key}" for key in ROWS]


def matrix_url(world: World, year: int = YEAR) -> str:
    return f"/runder/{world.round.kkr_id}/{year}/matrix"


@pytest.fixture
def last_year(world: World) -> None:
    """2024, closed: Frederiksberg red on V1 and green on O1; Allerød submitted too."""
    reporting_round = make_closed_round(world.db, YEAR - 1, CATALOGUE)
    frederiksberg = ReportPlan(ReportState.SUBMITTED, {key: RowPlan(Colour.GREEN) for key in ALL_HOV15})
    frederiksberg.rows["hov15-v1"] = RowPlan(Colour.RED, remark="Ikke igangsat i 2024.")
    allerod = ReportPlan(ReportState.SUBMITTED, {key: RowPlan(Colour.YELLOW, remark="Delvist.") for key in ALL_HOV15})
    write_plan(world.db, reporting_round, CATALOGUE, {FREDERIKSBERG: frederiksberg, ALLEROED: allerod})


def row_of(html: str, name: str) -> list[str]:
    table = tables(html, "matrix")[0]
    return next([cell.text for cell in row] for row in table.body if row[0].text.startswith(name))


def test_coordinator_reads_the_matrix_as_a_table_with_shapes_words_and_markers(world: World, last_year: None) -> None:
    page = world.browser(world.coordinator).client.get(matrix_url(world))
    assert page.status_code == 200, page.text[:500]
    table = tables(page.text, "matrix")[0]
    assert table.spans == 0
    header = table.head[0]
    assert all(cell.tag == "th" and cell.attrs["scope"] == "col" for cell in header)
    assert [cell.text for cell in header][1:4] == ["V1 SKAL", "V2 SKAL", "V3 SKAL"]
    assert len(table.body) == 29
    assert all(row[0].tag == "th" and row[0].attrs["scope"] == "row" for row in table.body)
    # Frederiksberg submitted 2025 with every SKAL row green: V1 went from red to green.
    frederiksberg = row_of(page.text, "Frederiksberg")
    assert frederiksberg[1] == "Grøn, bedre end 2024"
    assert frederiksberg[2] == "Grøn, uændret siden 2024"
    assert frederiksberg[4] == "Ikke indberettet"  # V4 is KAN and was left empty: no direction
    seen = next(row for row in table.body if row[0].text.startswith("Frederiksberg"))
    assert [cell.visible for cell in seen[1:3]] == ["● Grøn▲", "● Grøn="]  # shape, word, marker
    # Allerød is still working on 2025: nothing of it counts yet, not even for the coordinator.
    allerod = row_of(page.text, "Allerød")
    assert "ikke indsendt" in allerod[0] and set(allerod[1:17]) == {"Ikke indberettet"}
    foot = {row[0].text: [cell.text for cell in row[1:]] for row in table.foot}
    assert foot["I alt Grøn"][0] == "1" and foot["I alt Rød"][0] == "0" and foot["N ="][0] == "29"
    assert "1 af 29" in page.text.replace("<strong>", "").replace("</strong>", "")
    assert "udviklingen siden 2024" in page.text


def test_a_filter_shows_only_that_focus_area_and_kind(world: World, last_year: None) -> None:
    client = world.browser(world.coordinator).client
    page = client.get(matrix_url(world), params={"fokusomraade": "medarbejdere", "type": "skal"})
    header = [cell.text for cell in tables(page.text, "matrix")[0].head[0]]
    assert header == ["Kommune", "O1 SKAL", "O2 SKAL", "Grøn + gul", "SKAL grøn"]
    assert '<option value="medarbejdere" selected>' in page.text
    sorted_by = client.get(matrix_url(world), params={"sorter": "hov15-o1"})
    marked = [cell.text for cell in tables(sorted_by.text, "matrix")[0].head[0] if cell.attrs.get("aria-sort")]
    assert marked == ["O1 SKAL"]  # a screen reader hears which column the rows are sorted by


def test_a_filter_value_that_is_not_a_focus_area_says_so_next_to_the_filter(world: World) -> None:
    page = world.browser(world.coordinator).client.get(matrix_url(world), params={"fokusomraade": "<b>x</b>"})
    assert page.status_code == 422
    assert "er ikke et fokusområde i kataloget for 2025" in page.text
    assert "<b>x</b>" not in page.text  # escaped, like every text a user sends
    assert 'id="filter-error"' in page.text and len(tables(page.text, "matrix")[0].head[0]) == 19


def test_the_first_round_says_there_is_nothing_to_compare_with(world: World) -> None:
    page = world.browser(world.coordinator).client.get(matrix_url(world))
    assert page.status_code == 200
    assert "KKR Hovedstaden har ingen runde før 2025, så der er ingen udvikling at vise." in page.text


@pytest.mark.parametrize(
    ("path", "status", "message"),
    [
        ("/runder/{kkr}/2031/matrix", 404, "KKR Hovedstaden har ingen opfølgningsrunde for 2031."),
        ("/runder/999/2025/matrix", 404, "Denne KKR har ingen opfølgningsrunde for 2025."),
        ("/runder/{kkr}/2025/matrix?sorter=farve", 422, "Kan ikke sortere efter"),
        (
            "/runder/{kkr}/2025/matrix?type=bør",
            422,
            "er ikke en type anbefaling i kataloget for 2025: vælg SKAL eller KAN",
        ),
        ("/runder/{kkr}/2025/bemaerkninger?kommune=751", 404, "Kommunekode 751 indgår ikke"),
        ("/runder/{kkr}/2025/bemaerkninger?kommune=abc", 422, "Ugyldig anmodning"),
        ("/runder/{kkr}/2025/bemaerkninger?anbefaling=hov99", 404, "Anbefalingen &#39;hov99&#39; indgår ikke"),
        ("/runder/{kkr}/2031/indsats", 404, "ingen opfølgningsrunde for 2031"),
        ("/kommuner/999/udvikling", 404, "Kommunekode 999 findes ikke."),
        ("/kommuner/751/udvikling", 404, "har endnu ingen opfølgningsrunder"),
        # Numbers beyond what the database holds are refused, not a server error.
        ("/runder/{kkr}/99999999999999999999999/matrix", 422, "Ugyldig anmodning"),
        ("/runder/99999999999999999999999/2025/indsats", 422, "Ugyldig anmodning"),
        ("/runder/{kkr}/2025/bemaerkninger?kommune=99999999999999999999999", 422, "Ugyldig anmodning"),
        ("/kommuner/99999999999999999999999/udvikling", 422, "Ugyldig anmodning"),
        ("/api/rollup/{kkr}/99999999999999999999999", 422, "Ugyldig anmodning"),
        ("/api/municipalities/99999999999999999999999/trend", 422, "Ugyldig anmodning"),
    ],
)
def test_bad_input_gets_a_clear_danish_message(world: World, path: str, status: int, message: str) -> None:
    page = world.browser(world.admin).client.get(path.format(kkr=world.round.kkr_id))
    assert page.status_code == status, page.text[:300]
    assert message in page.text


def test_a_coordinator_of_another_kkr_sees_nothing_of_it(world: World) -> None:
    client = world.browser(world.far_coordinator).client
    kkr = world.round.kkr_id
    for path in (f"/runder/{kkr}/2025/matrix", f"/runder/{kkr}/2025/indsats", f"/runder/{kkr}/2025/bemaerkninger"):
        page = client.get(path)
        assert page.status_code == 404 and "findes ikke, eller du har ikke adgang" in page.text
    assert client.get(f"/kommuner/{ALLEROED}/udvikling").status_code == 404
    assert client.get(f"/api/rollup/{kkr}/2025").status_code == 404


def test_an_editor_sees_the_matrix_of_submitted_reports_only(world: World) -> None:
    # Allerød's report is in progress with every SKAL row green and a remark; Albertslund's editor
    # must see none of it, neither in the matrix nor in the remarks.
    client = world.browser(world.other_editor).client
    page = client.get(matrix_url(world))
    assert page.status_code == 200
    assert set(row_of(page.text, "Allerød")[1:17]) == {"Ikke indberettet"}
    assert row_of(page.text, "Frederiksberg")[1] == "Grøn"
    remarks = client.get(f"/runder/{world.round.kkr_id}/{YEAR}/bemaerkninger", params={"kommune": ALLEROED})
    assert "Som anbefalet." not in remarks.text and "Ikke indberettet" in remarks.text
    assert client.get("/kommuner/201/udvikling").status_code == 200
    assert world.browser(world.reader).client.get(matrix_url(world)).status_code == 200


def test_drilling_down_into_a_cell_a_row_and_a_column_shows_the_remarks(world: World, last_year: None) -> None:
    client = world.browser(world.coordinator).client
    base = f"/runder/{world.round.kkr_id}/{YEAR - 1}/bemaerkninger"
    cell = client.get(base, params={"kommune": FREDERIKSBERG, "anbefaling": "hov15-v1"}, headers={"HX-Request": "true"})
    assert cell.status_code == 200
    assert "<html" not in cell.text  # the panel only, for htmx to swap in
    assert "Bemærkninger 2024: Frederiksberg, V1" in cell.text and "Ikke igangsat i 2024." in cell.text
    row = client.get(base, params={"kommune": FREDERIKSBERG})
    assert "<html" in row.text and "Se alle år for Frederiksberg" in row.text  # a page of its own
    assert row.text.count('<li class="standing-') == 16
    column = client.get(base, params={"anbefaling": "hov15-v1"}, headers={"HX-Request": "true"})
    assert column.text.count('<li class="standing-') == 29
    assert "2 af 29 rækker har en bemærkning." in column.text


def test_a_municipalitys_page_shows_every_year_with_its_markers(world: World, last_year: None) -> None:
    page = world.browser(world.coordinator).client.get(f"/kommuner/{FREDERIKSBERG}/udvikling")
    assert page.status_code == 200
    table = tables(page.text, "trend")[0]
    assert [cell.text for cell in table.head[0]] == ["Anbefaling", "2024", "2025"]
    v1 = next(row for row in table.body if row[0].text.startswith("V1"))
    assert [cell.text for cell in v1[1:]] == ["Rød", "Grøn, bedre end 2024"]
    assert table.spans == 0


def test_where_to_act_lists_the_numbers_behind_the_most_improved(world: World, last_year: None) -> None:
    page = world.browser(world.coordinator).client.get(f"/runder/{world.round.kkr_id}/{YEAR}/indsats")
    assert page.status_code == 200
    improved = tables(page.text, "figures")
    assert "Ingen SKAL-anbefaling er rød to runder i træk" in page.text
    municipalities = improved[0].body
    assert [cell.text for cell in municipalities[0]] == ["Frederiksberg", "1", "0", "7", "0", "8", "+1"]


def test_the_api_returns_the_same_figures(world: World, last_year: None) -> None:
    client = world.browser(world.coordinator).client
    kkr = world.round.kkr_id
    figures = client.get(f"/api/rollup/{kkr}/{YEAR}").json()
    assert figures["participation"] == {"municipalities": 29, "submitted": 1, "share": pytest.approx(1 / 29)}
    v1 = figures["by_recommendation"][0]
    assert v1["recommendation"]["id"] == "hov15-v1"
    assert (v1["figures"]["green"], v1["figures"]["not_reported"], v1["figures"]["total"]) == (1, 28, 29)
    assert v1["figures"]["skal_compliance"] == 1.0 and v1["figures"]["shares"]["green"] == pytest.approx(1 / 29)
    matrix = client.get(f"/api/rollup/{kkr}/{YEAR}/matrix", params={"focus_area": "virksomhedsrettede"}).json()
    row = next(row for row in matrix["rows"] if row["municipality"]["code"] == FREDERIKSBERG)
    assert row["cells"][0]["comparison"]["change"] == "better" and row["cells"][0]["comparison"]["symbol"] == "▲"
    assert [c["recommendation"]["id"] for c in matrix["columns"]] == ["hov15-v1", "hov15-v2", "hov15-v3", "hov15-v4"]
    bad = client.get(f"/api/rollup/{kkr}/{YEAR}/matrix", params={"focus_area": "nope"})
    assert bad.status_code == 422 and bad.json()["field"] == "fokusomraade"
    act = client.get(f"/api/rollup/{kkr}/{YEAR}/where-to-act").json()
    assert act["most_improved_municipalities"][0]["movement"]["net"] == 1
    remarks = client.get(f"/api/rollup/{kkr}/{YEAR - 1}/remarks", params={"recommendation": "hov15-v1"}).json()
    assert {r["text"] for r in remarks["remarks"]} == {"", "Ikke igangsat i 2024.", "Delvist."}
    trend = client.get(f"/api/municipalities/{FREDERIKSBERG}/trend").json()
    assert [cell["standing"] for cell in trend["rows"][0]["cells"]] == ["red", "green"]
    assert (
        client.get(f"/api/rollup/{kkr}/2031").json()["detail"] == "KKR Hovedstaden har ingen opfølgningsrunde for 2031."
    )
