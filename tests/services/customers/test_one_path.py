"""One import path: the web upload, the CLI and the API all write through batches.write_batch, and the
readiness an import writes is what the weekly job computes, for varied records (new and updated)."""

import io
import random
from datetime import timedelta

from sqlalchemy import select

from app.models import Advocate
from app.services import customers
from app.services.customers import importer, readiness
from tests.admin.conftest import as_role  # noqa: F401 - fixtures of the three callers
from tests.api.conftest import api, make_key  # noqa: F401
from tests.factories import make_advocate


def test_the_upload_the_cli_and_the_api_go_through_the_one_writer(app, session, client, as_role, api,  # noqa: F811
                                                                  tmp_path, monkeypatch):
    written = []
    real = importer.write_batch

    def recording(session, rows, ctx):
        written.extend(row.email for _, row in rows)
        return real(session, rows, ctx)

    monkeypatch.setattr(importer, "write_batch", recording)
    as_role("admin")
    web = io.BytesIO(b"email,name\nweb@example.com,Web\n")
    page = client.post("/admin/customers/import", data={"file": (web, "c.csv")},
                       content_type="multipart/form-data")
    assert client.post(page.headers["Location"], data={"col_0": "email", "col_1": "name", "confirm": "1"}
                       ).status_code == 302
    path = tmp_path / "c.csv"
    path.write_text("email,name\ncli@example.com,Cli\n")
    assert app.test_cli_runner().invoke(args=["import", "customers", str(path)]).exit_code == 0
    body = [{"email": "api@example.com", "name": "Api"}]
    assert api.post("/advocates/import", json=body).status_code == 200
    assert api.post("/advocates/import", data=b"email,name\ncsv@example.com,Csv\n",
                    content_type="text/csv").status_code == 200
    assert api.put("/advocates/by-external-id/CRM-9", json={"email": "put@example.com", "name": "Put"}
                   ).status_code == 201
    assert written == ["web@example.com", "cli@example.com", "api@example.com", "csv@example.com",
                       "put@example.com"]
    session.expire_all()
    assert len(session.scalars(select(Advocate)).all()) == 5


def _record(rng: random.Random, n: int, today) -> dict:
    """A record with each signal given or left blank at random (blank keeps the stored value)."""
    day = lambda most: (today - timedelta(days=rng.randint(0, most))).isoformat()  # noqa: E731
    makers = {"nps": lambda: rng.randint(0, 10), "health_score": lambda: rng.randint(0, 100),
              "customer_since": lambda: day(2500), "purchases": lambda: rng.randint(0, 9),
              "last_purchase_on": lambda: day(1000), "csat": lambda: round(rng.uniform(1, 5), 2),
              "recovered": lambda: rng.choice(["yes", "no"]), "usage_depth": lambda: rng.randint(0, 100),
              "referrals_made": lambda: rng.randint(0, 5), "social_mentions": lambda: rng.randint(0, 9),
              "last_active_on": lambda: day(400)}
    return {"external_id": f"CRM-{n}", "email": f"c{n}@example.com", "name": f"C {n}",
            **{name: make() for name, make in makers.items() if rng.random() < 0.7}}


def test_imported_scores_equal_the_weekly_jobs_for_varied_records(session, now):
    rng, today = random.Random(14), now.date()
    for n in range(0, 300, 4):  # stored records without a signal row, which the import updates
        since = today - timedelta(days=rng.randint(0, 900))
        make_advocate(session, external_id=f"CRM-{n}", email=f"c{n}@example.com", nps=rng.randint(0, 10),
                      health_score=rng.randint(0, 100), customer_since=since)
    for round_ in range(3):  # created, then updated twice with other cells given or left blank
        report = customers.import_rows(session, rows=[_record(rng, n, today) for n in range(300)],
                                       now=now + timedelta(days=round_))
        assert report.rejected_count == 0 and report.created + report.updated + report.unchanged == 300
        assert readiness.score_customers(session, now=now + timedelta(days=round_)) == 0
    scores = session.scalars(select(Advocate.readiness_score)).all()
    assert len(set(scores)) > 20  # the records really vary
