"""Customer records over the API: PUT one by external id, POST many (JSON array or CSV), both through
the customer importer; a rejected record writes nothing and bad input is never a 500."""

import pytest
from sqlalchemy import func, select

from app.api.customers import CustomerRecord
from app.api.openapi import components
from app.models import Advocate, AdvocateState, CustomerSignal, IdempotencyRecord
from app.services.customers import COLUMNS
from tests.api.conftest import error_of
from tests.factories import make_advocate, make_staff

MAYA = {"email": "maya@brightlane.example", "name": "Maya Thompson", "company": "Brightlane", "nps": 10,
        "health_score": 88, "tags": ["api", "reporting"], "customer_since": "2023-04-01", "purchases": 3,
        "csat": 4.6, "recovered": True, "usage_depth": 82, "last_active_on": "2026-01-05"}


def _count(session, model=Advocate) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(model))


def _by_external_id(session, external_id: str) -> Advocate | None:
    session.expire_all()
    return session.scalars(select(Advocate).where(Advocate.external_id == external_id)).first()


# PUT /advocates/by-external-id/{external_id}

def test_put_creates_a_record_with_its_signals_and_answers_201(api, session):
    response = api.put("/advocates/by-external-id/CRM-1042", json=MAYA)
    assert response.status_code == 201, response.get_data(as_text=True)
    body = response.get_json()
    assert (body["external_id"], body["email"], body["nps"], body["state"]) == (
        "CRM-1042", "maya@brightlane.example", 10, "invited")
    advocate = _by_external_id(session, "CRM-1042")
    assert advocate.id == body["id"] and advocate.tags == ["api", "reporting"]
    signal = session.get(CustomerSignal, advocate.id)
    assert (signal.purchase_count, signal.csat, signal.recovered, signal.usage_depth) == (3, 4.6, True, 82)


def test_put_again_updates_the_same_record_and_answers_200(api, session):
    created = api.put("/advocates/by-external-id/CRM-1042", json=MAYA).get_json()
    response = api.put("/advocates/by-external-id/CRM-1042", json={"nps": 7, "usage_depth": 40})
    assert response.status_code == 200
    assert response.get_json()["id"] == created["id"] and response.get_json()["nps"] == 7
    assert _count(session) == 1
    advocate = _by_external_id(session, "CRM-1042")
    assert advocate.name == "Maya Thompson" and session.get(CustomerSignal, advocate.id).usage_depth == 40


def test_put_matches_an_existing_record_by_email_and_gives_it_the_external_id(api, session):
    existing = make_advocate(session, email="maya@brightlane.example")
    session.commit()
    response = api.put("/advocates/by-external-id/CRM-1042", json={"email": "MAYA@brightlane.example"})
    assert response.status_code == 200 and response.get_json()["id"] == existing.id
    assert _by_external_id(session, "CRM-1042").id == existing.id


def test_the_path_external_id_wins_and_a_different_one_in_the_body_is_422(api, session):
    same = api.put("/advocates/by-external-id/CRM-1", json={**MAYA, "external_id": "CRM-1"})
    assert same.status_code == 201
    response = api.put("/advocates/by-external-id/CRM-1", json={"external_id": "CRM-2", "nps": 3})
    assert response.status_code == 422 and error_of(response)["field"] == "external_id"
    assert _by_external_id(session, "CRM-1").nps == 10 and _by_external_id(session, "CRM-2") is None


@pytest.mark.parametrize(("body", "field", "words"), [
    ({**MAYA, "nps": 11}, "nps", ["nps: from 0 to 10"]),
    ({**MAYA, "nps": "eleven", "last_active_on": "2999-01-01"}, "nps", ["nps:", "last_active_on:", "future"]),
    ({"name": "No Email"}, "email", ["needs an email"]),
    ({"email": "x@example.com"}, "name", ["needs a name"]),
    ({**MAYA, "colour": "blue"}, "colour", ["unknown field 'colour'"]),
    ({**MAYA, "email": "not-an-email"}, "email", ["not an email address"]),
])
def test_a_rejected_record_is_422_with_its_reasons_and_writes_nothing(api, session, body, field, words):
    response = api.put("/advocates/by-external-id/CRM-9", json=body, key="reject-me")
    assert response.status_code == 422
    error = error_of(response)
    assert error["code"] == "validation_failed" and error["field"] == field
    assert all(word in error["message"] for word in words), error["message"]
    assert _count(session) == 0 and _count(session, CustomerSignal) == 0
    assert _count(session, IdempotencyRecord) == 0


def test_a_rejected_update_leaves_the_stored_record_as_it_was(api, session):
    api.put("/advocates/by-external-id/CRM-1042", json=MAYA)
    response = api.put("/advocates/by-external-id/CRM-1042", json={"name": "Changed", "usage_depth": 40,
                                                                   "health_score": 101})
    assert response.status_code == 422 and error_of(response)["field"] == "health_score"
    advocate = _by_external_id(session, "CRM-1042")
    assert (advocate.name, advocate.health_score) == ("Maya Thompson", 88)
    assert session.get(CustomerSignal, advocate.id).usage_depth == 82


def test_an_email_of_another_keyed_record_or_of_staff_is_422_on_email(api, session):
    make_advocate(session, email="taken@example.com", external_id="CRM-OTHER")
    make_staff(session, email="staff@example.com")
    session.commit()
    for email in ("taken@example.com", "staff@example.com"):
        response = api.put("/advocates/by-external-id/CRM-5", json={"email": email, "name": "X"})
        assert response.status_code == 422 and error_of(response)["field"] == "email"
    assert _by_external_id(session, "CRM-5") is None


def test_put_replays_the_first_response_for_a_repeated_idempotency_key(api, session):
    first = api.put("/advocates/by-external-id/CRM-1042", json=MAYA, key="crm-sync-1")
    again = api.put("/advocates/by-external-id/CRM-1042", json=MAYA, key="crm-sync-1")
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.headers["Idempotent-Replayed"] == "true" and again.get_json() == first.get_json()
    other = api.put("/advocates/by-external-id/CRM-1042", json={**MAYA, "nps": 1}, key="crm-sync-1")
    assert other.status_code == 409
    assert _count(session) == 1 and _by_external_id(session, "CRM-1042").nps == 10


def test_a_rejected_put_stores_no_idempotency_so_a_fixed_retry_runs(api, session):
    assert api.put("/advocates/by-external-id/CRM-7", json={**MAYA, "nps": 99}, key="k").status_code == 422
    assert api.put("/advocates/by-external-id/CRM-7", json=MAYA, key="k").status_code == 201


def test_put_needs_a_key_and_write_scope(api, read_api, session):
    assert error_of(api.__class__(api.client, None).put("/advocates/by-external-id/CRM-1", json=MAYA))[
        "code"] == "unauthorized"
    response = read_api.put("/advocates/by-external-id/CRM-1", json=MAYA)
    assert response.status_code == 403 and error_of(response)["code"] == "forbidden"
    assert _count(session) == 0


@pytest.mark.parametrize("raw", [b"not json", b"[1, 2]", b'[{"name": "x"}]', b'"text"', b"42",
                                 b'{"nps": NaN}', b"[" * 5000 + b"]" * 5000])
def test_malformed_put_bodies_are_400(api, session, raw):
    response = api.put("/advocates/by-external-id/CRM-1", data=raw, content_type="application/json")
    assert response.status_code == 400 and error_of(response)["code"] == "malformed"
    assert _count(session) == 0


@pytest.mark.parametrize("body", [
    {**MAYA, "nps": []}, {**MAYA, "name": {"first": "Maya"}}, {**MAYA, "tags": [1, 2]},
    {**MAYA, "customer_since": 20230401}, {**MAYA, "email": 5}, {**MAYA, "csat": "great"},
    {**MAYA, "recovered": [True]}, {**MAYA, "nps": True}, {**MAYA, "external_id": {"id": 1}},
    {**MAYA, "purchases": 10**40}, {**MAYA, "name": "x" * 100_000}, {"x" * 5000: 1},
])
def test_mistyped_put_bodies_are_422_and_write_nothing(api, session, body):
    response = api.put("/advocates/by-external-id/CRM-1", json=body)
    assert response.status_code == 422, response.get_data(as_text=True)
    assert set(error_of(response)) == {"code", "message", "field"}
    assert _count(session) == 0


def test_an_over_long_external_id_in_the_path_is_422(api, session):
    response = api.put(f"/advocates/by-external-id/{'x' * 81}", json=MAYA)
    assert response.status_code == 422 and error_of(response)["field"] == "external_id"


# POST /advocates/import

def test_a_json_import_reports_created_updated_and_rejected_rows(api, session):
    existing = make_advocate(session, email="ben@example.com", nps=5, name="Ben")
    session.commit()
    response = api.post("/advocates/import", json=[
        {"external_id": "CRM-1", "email": "ana@example.com", "name": "Ana", "nps": 10},
        {"email": "BEN@example.com", "nps": 9},
        {"email": "ben@example.com", "name": "Ben Renamed", "nps": "eleven", "health_score": -1},
        {"external_id": "CRM-404"},
    ])
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json() == {"created": 1, "updated": 1, "unchanged": 0, "rejected": [
        {"line": 3, "key": "ben@example.com",
         "reasons": ["nps: a whole number from 0 to 10", "health_score: from 0 to 100"]},
        {"line": 4, "key": "CRM-404",
         "reasons": ["no record has external_id CRM-404; a new record needs an email"]},
    ]}
    session.expire_all()
    ben = session.get(Advocate, existing.id)
    assert (ben.name, ben.nps) == ("Ben", 9)  # line 2 applied, line 3 not at all
    ana = _by_external_id(session, "CRM-1")
    assert ana.state == AdvocateState.INVITED and _count(session) == 2


def test_a_csv_body_imports_through_the_csv_importer(api, session):
    csv = ("\ufeffexternal_id,email,name,nps,tags\r\nCRM-1,ana@example.com,Ana,10,a;b\r\n"
           "CRM-2,bob@example.com,Bob,eleven,\r\n").encode()
    response = api.post("/advocates/import", data=csv, content_type="text/csv; charset=utf-8")
    assert response.status_code == 200
    assert response.get_json() == {"created": 1, "updated": 0, "unchanged": 0, "rejected": [
        {"line": 3, "key": "CRM-2", "reasons": ["nps: a whole number from 0 to 10"]}]}
    assert _by_external_id(session, "CRM-1").tags == ["a", "b"] and _count(session) == 1


def test_a_csv_with_an_unknown_column_is_refused_whole(api, session):
    response = api.post("/advocates/import", data=b"email,name,nsp\nana@example.com,Ana,10\n",
                        content_type="text/csv")
    assert response.status_code == 200
    [refused] = response.get_json()["rejected"]
    assert refused["line"] == 1 and "unknown column 'nsp'" in refused["reasons"][0]
    assert _count(session) == 0


def test_an_import_replays_for_a_repeated_idempotency_key(api, session):
    rows = [{"email": "ana@example.com", "name": "Ana"}, {"email": "bob@example.com", "name": "Bob"}]
    first = api.post("/advocates/import", json=rows, key="nightly-2026-01-10")
    again = api.post("/advocates/import", json=rows, key="nightly-2026-01-10")
    expected = {"created": 2, "updated": 0, "unchanged": 0, "rejected": []}
    assert first.get_json() == again.get_json() == expected
    assert again.headers["Idempotent-Replayed"] == "true" and _count(session) == 2
    assert api.post("/advocates/import", json=rows[:1], key="nightly-2026-01-10").status_code == 409
    csv = b"email,name\ncara@example.com,Cara\n"
    assert api.post("/advocates/import", data=csv, content_type="text/csv", key="csv-1").status_code == 200
    replay = api.post("/advocates/import", data=csv, content_type="text/csv", key="csv-1")
    assert replay.headers["Idempotent-Replayed"] == "true" and replay.get_json()["created"] == 1
    assert _count(session) == 3


def test_import_needs_a_key_and_write_scope(api, read_api, session):
    rows = [{"email": "ana@example.com", "name": "Ana"}]
    assert api.__class__(api.client, None).post("/advocates/import", json=rows).status_code == 401
    response = read_api.post("/advocates/import", json=rows)
    assert response.status_code == 403 and error_of(response)["code"] == "forbidden"
    assert _count(session) == 0


@pytest.mark.parametrize(("raw", "status"), [
    (b"not json", 400), (b'{"email": "ana@example.com", "name": "Ana"}', 400), (b"[1, 2]", 400),
    (b'[{"email": "ana@example.com", "name": "Ana"}, "x"]', 400), (b"[[]]", 400), (b"null", 400),
    (b"[]", 422), (b"", 422), (b"   ", 422), (b"[" * 5000 + b"]" * 5000, 400), (b"\xff\xfe\x00", 400),
])
def test_malformed_import_bodies_are_refused_whole(api, session, raw, status):
    response = api.post("/advocates/import", data=raw, content_type="application/json")
    assert response.status_code == status, response.get_data(as_text=True)
    assert set(error_of(response)) == {"code", "message", "field"}
    assert _count(session) == 0


def test_mistyped_records_are_rejected_rows_not_errors(api, session):
    response = api.post("/advocates/import", json=[
        {"email": 5, "name": "Ana"}, {"email": "b@example.com", "name": ["B"]}, {"email": "c@example.com",
                                                                               "name": "C", "nps": {}},
        {}, {"email": None, "external_id": None},
    ])
    assert response.status_code == 200
    report = response.get_json()
    assert (report["created"], [r["line"] for r in report["rejected"]]) == (0, [1, 2, 3, 4, 5])
    assert _count(session) == 0


def test_more_than_10000_records_is_422(api, session):
    response = api.post("/advocates/import", json=[{"email": "a@example.com"}] * 10_001)
    assert response.status_code == 422 and "10,000" in error_of(response)["message"]
    assert _count(session) == 0


def test_a_body_over_the_size_limit_is_413_json(api, session):
    from app.api.customers import MAX_IMPORT_BYTES

    for content_type in ("application/json", "text/csv"):
        response = api.post("/advocates/import", data=b" " * (MAX_IMPORT_BYTES + 1),
                            content_type=content_type)
        assert response.status_code == 413 and error_of(response)["code"] == "too_large"


def test_a_chunked_body_over_the_size_limit_is_413_too(api, session):
    import io

    from app.api.customers import MAX_IMPORT_BYTES

    body = b"[" + b'{"email": "a@example.com", "name": "A"},' * (MAX_IMPORT_BYTES // 40) + b"{}]"
    response = api.client.post("/api/v1/advocates/import", input_stream=io.BytesIO(body),
                               headers={"Authorization": f"Bearer {api.secret}",
                                        "Transfer-Encoding": "chunked", "Content-Type": "application/json"},
                               environ_overrides={"wsgi.input_terminated": True})
    assert response.status_code == 413 and error_of(response)["code"] == "too_large"
    assert _count(session) == 0


def test_the_openapi_record_schema_has_exactly_the_importer_columns():
    assert set(CustomerRecord.model_fields) == set(COLUMNS)
    assert set(components()["CustomerRecord"]["properties"]) == set(COLUMNS)
