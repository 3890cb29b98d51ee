"""No lost update: two people saving the same row get one success and one conflict, and both
values are accounted for (the winner's in the database and the history, the loser's in the
conflict answer, still in their form)."""

import re
import threading
from collections.abc import Callable
from typing import Any

from httpx2 import Response
from sqlmodel import select

from app.db import Database
from app.domain.accounts import actor_of
from app.domain.errors import Conflict
from app.domain.reports.commands import EntryInput, save_entry
from app.models import StatusChange, StatusEntry
from tests.factories import NOW
from tests.scenarios import Browser, Req, World, remark_history, row_save

ROUNDS = 5
KEY = "hov15-v2"


def row_form(entry_id: int | None, version: int, colour: str, remark: str) -> Req:
    return row_save(entry_id, version, colour=colour, remark=remark)


def textarea(html: str) -> str:
    found = re.search(r'<textarea[^>]*name="remark"[^>]*>(.*?)</textarea>', html, re.S)
    assert found, html
    return found.group(1)


def hidden_version(html: str) -> int:
    found = re.search(r'name="version" value="(\d+)"', html)
    assert found, html
    return int(found.group(1))


def all_history_values(db: Database) -> list[str | None]:
    with db.read() as session:
        return list(session.exec(select(StatusChange.new_value)))


def run_together(*jobs: Callable[[], Any]) -> list[Any]:
    """Start the jobs at the same moment, each in its own thread, and return their results."""
    barrier = threading.Barrier(len(jobs))
    results: list[Any] = [None] * len(jobs)

    def run(index: int) -> None:
        barrier.wait()
        try:
            results[index] = jobs[index]()
        except Exception as error:  # reported by the assertions below, not lost in the thread
            results[index] = error

    threads = [threading.Thread(target=run, args=(index,)) for index in range(len(jobs))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
        assert not thread.is_alive(), "a save hung"
    return results


def test_second_save_on_the_same_version_is_refused_and_shows_the_other_persons_value(world: World) -> None:
    row = world.entry(KEY)
    jette, karl = world.browser(world.editor), world.browser(world.colleague)
    jettes, karls = "Jettes tekst: aftalen med A-kassen er i gang.", "Karls tekst: intet er startet."

    first = jette.send(row_form(row.id, row.version, "yellow", jettes))
    assert first.status_code == 200
    assert "Gemt" in first.text

    second = karl.send(row_form(row.id, row.version, "red", karls))
    assert second.status_code == 409
    assert "Ikke gemt" in second.text
    assert "Jette Jobcenterchef" in second.text  # who got there first
    conflict = second.text[second.text.index('class="conflict"') :]
    assert jettes in conflict and "Gul" in conflict  # the other person's value
    assert textarea(second.text) == karls  # and Karl's own text is still in his form
    assert re.search(r'value="red" checked', second.text)
    assert hidden_version(second.text) == row.version + 1  # saving again is a deliberate choice

    saved = world.entry(KEY)
    assert (saved.colour, saved.remark, saved.version) == ("yellow", jettes, row.version + 1)
    assert remark_history(world.db, row.id or 0)[-1] == jettes
    assert karls not in all_history_values(world.db)

    again = karl.send(row_form(row.id, hidden_version(second.text), "red", karls))
    assert again.status_code == 200
    assert world.entry(KEY).remark == karls
    assert remark_history(world.db, row.id or 0)[-2:] == [jettes, karls]


def test_api_save_on_an_old_version_gets_409_with_the_current_value(world: World) -> None:
    row = world.entry(KEY)
    jette, karl = world.browser(world.editor), world.browser(world.colleague)
    body = {"colour": "yellow", "remark": "Jette via API", "opted_out": False, "version": row.version}
    assert jette.send(Req.of_json("PUT", f"/api/entries/{row.id}", body)).status_code == 200
    stale = {**body, "colour": "red", "remark": "Karl via API"}
    response = karl.send(Req.of_json("PUT", f"/api/entries/{row.id}", stale))
    assert response.status_code == 409
    current = response.json()["current"]
    assert (current["remark"], current["colour"], current["updated_by"]) == (
        "Jette via API",
        "yellow",
        "Jette Jobcenterchef",
    )
    assert current["version"] == row.version + 1
    assert world.entry(KEY).remark == "Jette via API"
    assert "Karl via API" not in all_history_values(world.db)


def _save_in_domain(world: World, user_index: int, version: int, text: str) -> Callable[[], Any]:
    user = (world.editor, world.colleague)[user_index]
    entry_id = world.entry(KEY).id or 0

    def save() -> str:
        with world.db.write() as session:
            save_entry(session, actor_of(user), entry_id, EntryInput("yellow", text, False, "", version), now=NOW)
        return text

    return save


def test_two_concurrent_domain_saves_give_one_success_and_one_conflict(world: World) -> None:
    row_id = world.entry(KEY).id or 0
    for round_no in range(ROUNDS):
        version = world.entry(KEY).version
        texts = [f"Runde {round_no}: Jette", f"Runde {round_no}: Karl"]
        results = run_together(*(_save_in_domain(world, i, version, texts[i]) for i in range(2)))

        winners = [result for result in results if isinstance(result, str)]
        conflicts = [result for result in results if isinstance(result, Conflict)]
        assert len(winners) == 1 and len(conflicts) == 1, results
        winner = winners[0]
        loser = next(text for text in texts if text != winner)
        assert conflicts[0].current["remark"] == winner  # the loser is shown the winner's value
        saved = world.entry(KEY)
        assert (saved.remark, saved.version) == (winner, version + 1)
        assert remark_history(world.db, row_id)[-1] == winner
        assert loser not in all_history_values(world.db)


def test_two_concurrent_page_saves_give_one_200_and_one_409(world: World) -> None:
    browsers = (world.browser(world.editor), world.browser(world.colleague))
    row_id = world.entry(KEY).id
    for round_no in range(ROUNDS):
        version = world.entry(KEY).version
        texts = (f"Side {round_no}: Jette", f"Side {round_no}: Karl")

        def post(browser: Browser, text: str, version: int = version) -> Callable[[], Response]:
            return lambda: browser.send(row_form(row_id, version, "red", text))

        responses: list[Response] = run_together(*(post(b, t) for b, t in zip(browsers, texts, strict=True)))
        assert sorted(r.status_code for r in responses) == [200, 409], [r.text[:300] for r in responses]
        won = next(i for i, r in enumerate(responses) if r.status_code == 200)
        winner, loser, conflict = texts[won], texts[1 - won], responses[1 - won]
        assert world.entry(KEY).remark == winner
        assert remark_history(world.db, row_id or 0)[-1] == winner
        assert loser not in all_history_values(world.db)
        assert winner in conflict.text  # the other person's value...
        assert textarea(conflict.text) == loser  # ...beside the loser's own, kept in the form


def test_many_savers_lose_no_acknowledged_save(world: World) -> None:
    """Four people save the same row over and over; every save that was acknowledged is in the
    history in order, and the row holds the last one."""
    row_id = world.entry(KEY).id or 0
    users = (world.editor, world.colleague, world.admin, world.editor)
    acknowledged: list[tuple[int, str]] = []
    lock = threading.Lock()

    def saver(index: int) -> Callable[[], None]:
        def run() -> None:
            for attempt in range(6):
                text = f"Person {index}, forsøg {attempt}"
                with world.db.read() as session:
                    current = session.get(StatusEntry, row_id)
                    assert current is not None
                    version = current.version
                try:
                    with world.db.write() as session:
                        saved = save_entry(
                            session,
                            actor_of(users[index]),
                            row_id,
                            EntryInput("green", text, False, "", version),
                            now=NOW,
                        )
                        new_version = saved.found.entry.version
                except Conflict:
                    continue
                with lock:
                    acknowledged.append((new_version, text))

        return run

    results = run_together(*(saver(index) for index in range(len(users))))
    assert all(result is None for result in results), results
    assert acknowledged, "nobody got a save through"
    in_order = [text for _version, text in sorted(acknowledged)]
    history = remark_history(world.db, row_id)
    assert history[-len(in_order) :] == in_order
    assert world.entry(KEY).remark == in_order[-1]
    attempted = {f"Person {i}, forsøg {a}" for i in range(len(users)) for a in range(6)}
    lost_or_phantom = (set(history) & attempted) ^ set(in_order)
    assert not lost_or_phantom
