"""Walking a list page by page while rows are inserted between pages, on SQLite and PostgreSQL.

Keyset pages (`id > :cursor ORDER BY id`, the ledger `id < :cursor ORDER BY id DESC`) must return every
row that existed when the walk began exactly once, in order, whatever is inserted meanwhile — before
the cursor (never shown: it is behind the walk), after it (shown once, in its place) or at the end —
and the walk must end.
"""

import pytest
from sqlalchemy import text

from app.extensions import db
from app.models import Advocate, Status
from tests.api.conftest import write_key
from tests.factories import make_advocate, make_mission, make_submitted_attempt

MAX_PAGES = 200


def _walk(client, secret: str, path: str, limit: int, between) -> list[int]:
    """Every id the list gives, page after page; `between(page_number, last_id)` runs after each page."""
    headers = {"Authorization": f"Bearer {secret}"}
    ids, cursor = [], None
    for page_number in range(1, MAX_PAGES + 1):
        separator = "&" if "?" in path else "?"
        url = f"/api/v1{path}{separator}limit={limit}" + (f"&cursor={cursor}" if cursor else "")
        response = client.get(url, headers=headers)
        assert response.status_code == 200, response.get_data(as_text=True)
        body = response.get_json()
        assert len(body["data"]) <= limit
        ids += [row["id"] for row in body["data"]]
        cursor = body["next_cursor"]
        if cursor is None:
            return ids
        between(page_number, ids[-1])
    pytest.fail(f"the walk of {path} did not end within {MAX_PAGES} pages")


def _continue_ids_after(session, table: str, above: int) -> None:
    """On PostgreSQL, move the id sequence past ids given explicitly (SQLite takes max(id) + 1 itself)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), {above})"))


@pytest.mark.parametrize("query", ["", "?status=gold", "?state=active"])
def test_advocates_walk_sees_each_existing_row_once_while_rows_are_inserted_around_the_cursor(engine_app,
                                                                                            query):
    session = db.session
    original = [make_advocate(session, id=n * 10, status=Status.GOLD).id for n in range(1, 31)]  # 10…300
    _continue_ids_after(session, "advocate", 1000)
    secret = write_key(session)
    inserted = {"before": [], "after": [], "end": []}

    def insert(page_number: int, last_id: int) -> None:
        if page_number > 8:  # the inserts stop, so the walk can end
            return
        # in the gaps between the ids 10, 20, …: one behind the cursor, one ahead of it
        below, above = last_id - 5, last_id + 5 + page_number
        for where, row_id in (("before", below), ("after", above)):
            if row_id % 10 and session.get(Advocate, row_id) is None:
                inserted[where].append(make_advocate(session, id=row_id, status=Status.GOLD).id)
        inserted["end"].append(make_advocate(session, status=Status.GOLD).id)
        session.commit()

    session.commit()
    seen = _walk(engine_app.test_client(), secret, f"/advocates{query}", 4, insert)
    assert seen == sorted(seen) and len(seen) == len(set(seen)), "in id order, none repeated"
    assert [i for i in seen if i in original] == original, "every row that existed at the start, once"
    assert inserted["before"] and not set(inserted["before"]) & set(seen), "rows behind the cursor: not shown"
    assert set(inserted["after"]) <= set(seen) and set(inserted["end"]) <= set(seen)


def test_ledger_walk_newest_first_ignores_entries_posted_meanwhile(engine_app):
    session = db.session
    advocate = make_advocate(session)
    secret = write_key(session)
    client = engine_app.test_client()
    headers = {"Authorization": f"Bearer {secret}"}
    path = f"/api/v1/advocates/{advocate.id}/adjustments"
    for n in range(23):
        response = client.post(path, json={"amount": n + 1, "reason": f"start {n}"}, headers=headers)
        assert response.status_code == 201
    original = [row["id"] for row in client.get(f"/api/v1/advocates/{advocate.id}/ledger?limit=500",
                                                headers=headers).get_json()["data"]]
    posted = []

    def post(page_number: int, last_id: int) -> None:
        for n in range(3):
            response = client.post(path, json={"amount": 1, "reason": f"meanwhile {page_number}.{n}"},
                                   headers=headers)
            posted.append(response.get_json()["entry"]["id"])

    seen = _walk(client, secret, f"/advocates/{advocate.id}/ledger", 5, post)
    assert len(original) == 23 and seen == original, "newest first, each once; new entries are ahead of it"
    assert posted and not set(posted) & set(seen)


def test_attempts_walk_sees_each_existing_row_once_while_submissions_arrive(engine_app):
    session = db.session
    mission = make_mission(session)
    original = [make_submitted_attempt(session, mission=mission).id for _ in range(11)]
    secret = write_key(session)
    client = engine_app.test_client()
    headers = {"Authorization": f"Bearer {secret}"}
    arrived = []

    def submit(page_number: int, last_id: int) -> None:
        if page_number > 6:
            return
        for _ in range(2):
            advocate = make_advocate(session)
            session.commit()
            response = client.post("/api/v1/attempts", headers=headers, json={
                "mission_id": mission.id, "advocate_id": advocate.id,
                "evidence": {"link": "https://reviews.example.com/r/2"}})
            assert response.status_code == 201, response.get_data(as_text=True)
            arrived.append(response.get_json()["id"])

    session.commit()
    for query in ("", f"?mission_id={mission.id}", "?state=submitted"):
        seen = _walk(client, secret, f"/attempts{query}", 3, submit)
        assert seen == sorted(seen) and len(seen) == len(set(seen))
        assert [i for i in seen if i in original] == original
        assert set(arrived) <= set(seen)
