"""A property-based run of every operation in /api/v1/openapi.json (Schemathesis, in process over WSGI).

For each operation, requests are generated from the document itself — valid ones (`positive`) and
ones that break it (`negative`: wrong types, out-of-range numbers, missing required fields) — and
sent with a write key. Every response must: not be a 5xx, have a status code the document lists for
that operation, be JSON, and validate against the documented schema for that status. Separately,
every operation without a valid key must answer 401 with the error envelope. All of it runs on SQLite
and on PostgreSQL (`engine_app`), which refuses some values SQLite stores (a NUL in text).

Operations are read from the document, so an endpoint added to it is covered without editing this
file. Positive cases sometimes get the ids of seeded rows (advocates, missions, attempts,
referrals, rewards) so lookups and writes reach real rows, not only 404s, and now and then a text
field of a JSON body ends with a lone surrogate (Hypothesis' own text never holds one), which must be
a 422 naming that field.

Bounded for CI: `API_PROPERTY_EXAMPLES` examples per operation and mode (default 15), derandomized
(the same cases every run). Run it harder on demand, e.g.
`API_PROPERTY_EXAMPLES=500 API_PROPERTY_SEED=random .venv/bin/pytest tests/api/test_property.py`
(`API_PROPERTY_SEED=<n>` replays one random run; `random` draws new cases each time).
"""

import os
import random
from dataclasses import dataclass

import pytest
import schemathesis
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from app.api.openapi import document
from app.extensions import db
from app.models import ApiScope, ReferralState, StaffRole
from app.services import referrals
from app.services.api import keys as api_keys
from app.services.referrals import pipeline as referral_pipeline
from tests.factories import fund, make_advocate, make_mission, make_reward, make_staff, make_submitted_attempt

EXAMPLES = int(os.environ.get("API_PROPERTY_EXAMPLES", "15"))
SEED = os.environ.get("API_PROPERTY_SEED")
RANDOM_SEED = None if SEED is None else random.randrange(2**32) if SEED == "random" else int(SEED)
SETTINGS = settings(max_examples=EXAMPLES, deadline=None, derandomize=RANDOM_SEED is None, database=None,
                    print_blob=True,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much,
                                           HealthCheck.data_too_large, HealthCheck.function_scoped_fixture])
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
DOCUMENT = document()
OPERATIONS = [(path, method.upper()) for path, item in DOCUMENT["paths"].items() for method in item]
SECURED = [(path, method) for path, method in OPERATIONS
           if DOCUMENT["paths"][path][method.lower()].get("security", DOCUMENT["security"])]


def _has_inputs(path: str, method: str) -> bool:
    operation = DOCUMENT["paths"][path][method.lower()]
    return bool(operation.get("parameters") or operation.get("requestBody"))


@dataclass
class Seeded:
    """Ids of real rows, by the name of the parameter or field that carries them."""

    ids: dict[str, list[int]]
    secret: str


def _seed(session, now) -> Seeded:
    admin = make_staff(session, role=StaffRole.ADMIN)
    advocates = [make_advocate(session, external_id=f"CRM-{n}") for n in range(3)]
    fund(session, advocates[0], 500)
    missions = [make_mission(session) for _ in range(2)]
    attempts = [make_submitted_attempt(session, advocate=advocates[i], mission=missions[i]) for i in range(2)]
    code = referrals.get_or_create_code(session, advocate_id=advocates[1].id, now=now).code
    made = []
    for n in range(2):
        made.append(referrals.submit_referral(
            session, code=code, friend=referrals.Friend(f"Friend {n}", f"friend{n}@otherco.example", "Other"),
            client_hash=f"c{n}", now=now, client_limit=100, client_window_minutes=60))
    referral_pipeline.move_referral(session, referral_id=made[0].id, to=ReferralState.QUALIFIED, staff=None,
                                    now=now)
    reward = make_reward(session)
    secret = api_keys.create_key(session, name="property run", scope=ApiScope.WRITE, created_by=admin,
                                 now=now).secret
    session.commit()
    ids = {"advocate_id": [a.id for a in advocates], "mission_id": [m.id for m in missions],
           "attempt_id": [a.id for a in attempts], "referral_id": [r.id for r in made],
           "reward_id": [reward.id]}
    return Seeded(ids, secret)


@pytest.fixture
def seeded(engine_app, now) -> Seeded:
    return _seed(db.session, now)


@pytest.fixture
def api_schema(engine_app):
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", engine_app)


def _real_ids(data, case, seeded: Seeded) -> None:
    """Now and then put the id of a seeded row where the case has an id (path, query or body)."""
    containers = [case.path_parameters, case.query, case.body]
    for container in containers:
        if not isinstance(container, dict):
            continue
        for name in list(container):
            if name in seeded.ids and data.draw(st.booleans(), label=f"real {name}"):
                container[name] = data.draw(st.sampled_from(seeded.ids[name]), label=name)


def _lone_surrogate(data, case) -> str | None:
    """Now and then end one text field of a JSON object body with a lone surrogate (\\ud800…\\udfff):
    Hypothesis' text never holds one, but a client can send the escape and json.loads keeps it.
    Returns the field's name (the request must then be refused naming it), or None."""
    body = case.body if isinstance(case.body, dict) else {}
    names = sorted(n for n, v in body.items() if isinstance(v, str))
    if not names or not data.draw(st.booleans(), label="lone surrogate"):
        return None
    name = data.draw(st.sampled_from(names), label="surrogate in")
    case.body[name] += data.draw(st.sampled_from(["\ud800", "\udbff", "\udc00", "\udfff"]), label="surrogate")
    return name


def _refused_naming(response, name: str | None) -> None:
    if name is not None and response.status_code != 404:  # 404: an unknown id in the path, checked first
        assert response.status_code == 422, (name, response.status_code, response.text)
        assert response.json()["error"]["field"] == name


def _is_json(response, case) -> None:
    content_type = (response.headers.get("content-type") or [""])[0]  # Schemathesis: lowercased, lists
    assert content_type.startswith("application/json"), (case.method, case.formatted_path, content_type)


def _run(strategy, body) -> None:
    test = given(case=strategy, data=st.data())(body)
    test = SETTINGS(test)
    if RANDOM_SEED is not None:
        print(f"API_PROPERTY_SEED={RANDOM_SEED}")  # noqa: T201 (how to replay this run)
        test = seed(RANDOM_SEED)(test)
    test()


# Every operation with valid input; those with parameters or a body also with schema-breaking input
# (an operation without inputs has nothing to make invalid).
CASES = [(path, method, mode) for path, method in OPERATIONS
         for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
         if mode is GenerationMode.POSITIVE or _has_inputs(path, method)]


@pytest.mark.parametrize(("path", "method", "mode"), CASES, ids=[f"{m} {p}-{g}" for p, m, g in CASES])
def test_every_operation_answers_as_documented(api_schema, seeded, path, method, mode):
    operation = api_schema[path][method]
    headers = {"Authorization": f"Bearer {seeded.secret}"}

    def check(case, data):
        surrogate_in = None
        if mode is GenerationMode.POSITIVE:  # (a negative case may be refused first for something else)
            _real_ids(data, case, seeded)
            surrogate_in = _lone_surrogate(data, case)
        response = case.call(headers=headers)
        case.validate_response(response, checks=CHECKS, headers=headers)
        _is_json(response, case)
        _refused_naming(response, surrogate_in)

    _run(operation.as_strategy(generation_mode=mode), check)


@pytest.mark.parametrize(("path", "method"), SECURED, ids=[f"{m} {p}" for p, m in SECURED])
def test_every_operation_without_a_valid_key_is_401(api_schema, seeded, path, method):
    operation = api_schema[path][method]
    bad = ["", "Bearer", f"Bearer {seeded.secret}x", f"Basic {seeded.secret}", "Bearer rp_unknown"]

    def check(case, data):
        _real_ids(data, case, seeded)
        authorization = data.draw(st.sampled_from([None, *bad]), label="Authorization")
        case.headers = {k: v for k, v in (case.headers or {}).items() if k.lower() != "authorization"}
        if authorization is not None:
            case.headers["Authorization"] = authorization
        response = case.call()
        case.validate_response(response, checks=CHECKS)
        assert response.status_code == 401, (case.method, case.formatted_path, response.status_code)
        assert response.json()["error"]["code"] == "unauthorized"
        _is_json(response, case)

    _run(operation.as_strategy(generation_mode=GenerationMode.POSITIVE), check)


def test_the_run_covers_every_documented_operation(api_schema):
    """The document and the parametrization agree (so a new endpoint cannot slip past the run)."""
    assert len(OPERATIONS) >= 19
    for path, method in OPERATIONS:
        assert api_schema[path][method].method.upper() == method
    loaded = {(op.ok().path, op.ok().method.upper()) for op in api_schema.get_all_operations()}
    assert loaded == set(OPERATIONS) - {("/openapi.json", "GET")}  # Schemathesis leaves out its own document
