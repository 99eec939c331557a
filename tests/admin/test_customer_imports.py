"""Importing customers on the web: upload, the preview with its column mapping, confirm, the report."""

import io
import json
import re
from datetime import timedelta

import pytest
from flask import g
from sqlalchemy import func, select

from app.admin.forms.customers import MAX_CSV_MB
from app.models import Advocate, AdvocateState, CustomerSignal
from app.services import clock
from app.services.customers import uploads
from tests.conftest import session_token
from tests.factories import make_advocate

CSV = b"email,name,nps,usage_depth\r\nnew@example.com,New Person,10,70\r\nbad@example.com,Bad,11,\r\n"
CRM = (b"Customer ID,E-mail,Full name,NPS Score,Shoe size\n"
       b"CRM-1,ana@example.com,Ana,10,38\nCRM-2,ben@example.com,Ben,9,44\n")


def upload(client, data: bytes, name="customers.csv"):
    return client.post("/admin/customers/import", data={"file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


def preview_url(response) -> str:
    assert response.status_code == 302, response.get_data(as_text=True)
    return response.headers["Location"]


def confirm(client, url, mapping: dict[int, str], button="confirm"):
    return client.post(url, data={**{f"col_{i}": field for i, field in mapping.items()}, button: "1"})


def count(session):
    return session.scalar(select(func.count()).select_from(Advocate))


def by_email(session, email):
    session.expire_all()
    return session.scalars(select(Advocate).where(Advocate.email == email)).first()


@pytest.mark.parametrize("role", ["marketing", "admin"])
def test_curators_upload_preview_confirm_and_see_the_report(as_role, client, session, role):
    as_role(role)
    url = preview_url(upload(client, CSV))
    page = client.get(url).get_data(as_text=True)
    assert "Map the columns" in page and "new@example.com" in page
    assert "Line 3: nps: from 0 to 10" in page  # a problem in the first rows, before anything is written
    assert count(session) == 0
    report = client.post(url, data={"col_0": "email", "col_1": "name", "col_2": "nps", "col_3": "usage_depth",
                                    "confirm": "Import"})
    page = client.get(preview_url(report)).get_data(as_text=True)
    assert "Import report" in page and "<td>1</td><td>0</td><td>0</td><td>1</td>" in page
    assert '<td data-label="Line">3</td>' in page and "nps: from 0 to 10" in page
    created = by_email(session, "new@example.com")
    assert created.state == AdvocateState.INVITED and created.readiness_score is not None
    assert session.get(CustomerSignal, created.id).usage_depth == 70


def test_columns_are_suggested_by_alias_and_an_unknown_one_is_ignored(as_role, client, session):
    as_role("marketing")
    url = preview_url(upload(client, CRM))
    page = client.get(url).get_data(as_text=True)
    selected = dict(re.findall(r'name="(col_\d)">.*?<option selected value="([^"]*)"', page, re.S))
    assert selected == {"col_0": "external_id", "col_1": "email", "col_2": "name", "col_3": "nps",
                        "col_4": ""}
    assert "Shoe size" in page and "Ignore this column" in page
    done = confirm(client, url, {0: "external_id", 1: "email", 2: "name", 3: "nps", 4: ""})
    assert "/report" in preview_url(done)
    ana = by_email(session, "ana@example.com")
    assert (ana.external_id, ana.name, ana.nps) == ("CRM-1", "Ana", 10)


def test_a_column_can_be_remapped_before_confirming(as_role, client, session):
    as_role("marketing")
    url = preview_url(upload(client, CRM))
    confirm(client, url, {0: "external_id", 1: "email", 2: "company", 3: "", 4: "health_score"})
    ana = by_email(session, "ana@example.com")
    assert ana is None  # no name column: a new record needs one
    url = preview_url(upload(client, CRM))
    confirm(client, url, {0: "external_id", 1: "email", 2: "name", 3: "", 4: "health_score"})
    ana = by_email(session, "ana@example.com")
    assert (ana.nps, ana.health_score) == (None, 38)


def test_a_field_chosen_twice_or_no_key_is_shown_at_the_select_and_writes_nothing(as_role, client, session):
    as_role("marketing")
    url = preview_url(upload(client, CRM))
    twice = confirm(client, url, {0: "external_id", 1: "email", 2: "name", 3: "nps", 4: "nps"})
    page = twice.get_data(as_text=True)
    assert twice.status_code == 200 and 'id="col_3-error"' in page and 'id="col_4-error"' in page
    assert "nps is chosen for both" in page
    keyless = confirm(client, url, {0: "", 1: "", 2: "name", 3: "nps", 4: ""}).get_data(as_text=True)
    assert 'id="mapping-error"' in keyless and "needs an email or an external_id column" in keyless
    junk = confirm(client, url, {0: "shoe", 1: "email", 2: "name", 3: "", 4: ""})
    assert junk.status_code == 200 and 'id="col_0-error"' in junk.get_data(as_text=True)
    assert count(session) == 0


def test_check_again_shows_the_problems_of_the_new_mapping_without_importing(as_role, client, session):
    as_role("marketing")
    url = preview_url(upload(client, CRM))
    page = confirm(client, url, {0: "external_id", 1: "email", 2: "name", 3: "nps", 4: "nps"},
                   button="check").get_data(as_text=True)
    assert "chosen for both" in page
    page = confirm(client, url, {0: "external_id", 1: "email", 2: "name", 3: "", 4: "usage_depth"},
                   button="check").get_data(as_text=True)
    assert "No problems in the first rows" in page and count(session) == 0


@pytest.mark.parametrize(("data", "words"), [
    (b"", "the file is empty"),
    ("email,name\nz@example.com,Zoë\n".encode("latin-1"), "line 2 is not UTF-8"),
    ("email,name\nz@example.com,Zoë\n".encode("utf-16"), "UTF-16"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "NUL byte"),
])
def test_an_unreadable_file_is_refused_at_the_field_and_not_kept(as_role, client, session, app, data, words):
    as_role("marketing")
    response = upload(client, data)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and 'id="file-error"' in page and words in page, page
    folder = uploads.Path(app.config["UPLOAD_FOLDER"]) / "imports"
    assert not list(folder.glob("*.csv"))


def test_a_header_only_file_previews_with_no_rows_and_imports_nothing(as_role, client, session):
    as_role("marketing")
    url = preview_url(upload(client, b"email,name\n"))
    assert "The file has a header but no rows" in client.get(url).get_data(as_text=True)
    page = client.get(preview_url(confirm(client, url, {0: "email", 1: "name"}))).get_data(as_text=True)
    assert "<td>0</td><td>0</td><td>0</td><td>0</td>" in page and count(session) == 0


def test_a_second_confirm_imports_nothing_more_and_shows_the_report(as_role, client, session):
    as_role("marketing")
    url = preview_url(upload(client, CRM))
    mapping = {0: "external_id", 1: "email", 2: "name", 3: "nps", 4: ""}
    confirm(client, url, mapping)
    again = confirm(client, url, mapping)
    assert "/report" in preview_url(again) and count(session) == 2


def test_many_rejections_are_capped_on_the_page_and_all_download_as_csv(as_role, client, session):
    as_role("marketing")
    rows = "".join(f"r{n}@example.com,Row {n},eleven\n" for n in range(uploads.REPORT_ROWS + 30))
    url = preview_url(upload(client, ("email,name,nps\n" + rows + "=cmd@example.com,X,12\n").encode()))
    report = confirm(client, url, {0: "email", 1: "name", 2: "nps"})
    page = client.get(preview_url(report)).get_data(as_text=True)
    assert page.count('<td data-label="Line">') == uploads.REPORT_ROWS
    assert f"the first {uploads.REPORT_ROWS} are listed here" in page
    download = client.get(url + "/rejected.csv")
    assert download.status_code == 200 and download.mimetype == "text/csv"
    assert "attachment" in download.headers["Content-Disposition"]
    lines = download.get_data(as_text=True).splitlines()
    download.close()
    assert lines[0] == "line,record,reason" and len(lines) == 1 + uploads.REPORT_ROWS + 31
    assert lines[1].startswith("2,r0@example.com,")
    assert lines[-1].startswith(f"{uploads.REPORT_ROWS + 32},'=cmd@example.com,")  # no formula
    assert count(session) == 0


def test_an_upload_is_only_its_uploaders_and_expires(as_role, client, session, app, now):
    as_role("marketing")
    url = preview_url(upload(client, CRM))
    as_role("admin")
    g.pop("_login_user", None)  # the test's app context outlives requests: forget who signed in before
    assert client.get(url).status_code == 404
    taken = client.post(url, data={"col_0": "external_id", "col_1": "email", "confirm": "1"})
    assert taken.status_code == 302
    assert count(session) == 0
    assert client.get("/admin/customers/import/not-a-token").status_code == 404
    folder = uploads.Path(app.config["UPLOAD_FOLDER"]) / "imports"
    token = url.rsplit("/", 1)[1]
    clock.freeze(now + uploads.EXPIRY + timedelta(minutes=1))
    preview_url(upload(client, CSV))  # every upload sweeps the expired ones away
    assert not list(folder.glob(f"{token}.*"))
    meta = json.loads(next(folder.glob("*.json")).read_text())
    assert meta["filename"] == "customers.csv"


@pytest.mark.parametrize("role", ["csm", "advocate"])
def test_csms_and_advocates_may_not_import(as_role, client, session, role):
    as_role(role)
    assert client.get("/admin/customers/import").status_code == 403
    assert upload(client, CSV).status_code == 403
    assert client.get("/admin/customers/import/" + "x" * 32).status_code == 403
    assert by_email(session, "new@example.com") is None


def test_user_text_in_the_preview_and_report_is_escaped(as_role, client, session):
    as_role("marketing")
    url = preview_url(upload(client, b"email,<b>name</b>\n<script>x</script>@evil.test,X\n"))
    page = client.get(url).get_data(as_text=True)
    assert "<script>x</script>" not in page and "&lt;script&gt;" in page and "<b>name</b>" not in page
    report = client.get(preview_url(confirm(client, url, {0: "email", 1: "name"}))).get_data(as_text=True)
    assert "<script>x</script>" not in report and "&lt;script&gt;" in report


def test_an_oversize_file_is_refused_at_the_field_and_imports_nothing(as_role, client, session):
    as_role("marketing")
    big = b"email,name\nbig@example.com,Big\n" + b"x" * (MAX_CSV_MB * 1024 * 1024)
    # The multipart body is built here: the test client would spool a body this size to a temporary
    # file that it never closes.
    body = (b'--b0undary\r\nContent-Disposition: form-data; name="file"; filename="big.csv"\r\n'
            b"Content-Type: text/csv\r\n\r\n" + big + b"\r\n--b0undary--\r\n")
    page = client.post("/admin/customers/import", data=body,
                       content_type="multipart/form-data; boundary=b0undary").get_data(as_text=True)
    assert 'id="file-error"' in page and f"larger than {MAX_CSV_MB} MB" in page
    assert count(session) == 0


def test_no_file_is_an_error_at_the_field(as_role, client):
    as_role("marketing")
    page = client.post("/admin/customers/import", data={}).get_data(as_text=True)
    assert 'id="file-error"' in page and "Choose a CSV file." in page


def test_an_update_through_the_page_reports_updated_then_unchanged(as_role, client, session):
    make_advocate(session, email="ana@example.com", external_id="CRM-1", nps=5)
    as_role("marketing")
    mapping = {0: "external_id", 1: "email", 2: "name", 3: "nps", 4: ""}
    first = client.get(preview_url(confirm(client, preview_url(upload(client, CRM)), mapping)))
    assert "<td>1</td><td>1</td><td>0</td><td>0</td>" in first.get_data(as_text=True)
    again = client.get(preview_url(confirm(client, preview_url(upload(client, CRM)), mapping)))
    assert "<td>0</td><td>0</td><td>2</td><td>0</td>" in again.get_data(as_text=True)


def test_both_steps_need_a_csrf_token(app_factory):
    from app.extensions import db
    from tests.factories import make_staff

    csrf_app = app_factory(WTF_CSRF_ENABLED=True)
    with csrf_app.app_context():
        staff = make_staff(db.session)
        db.session.commit()
        client = csrf_app.test_client()
        with client.session_transaction() as sess:
            sess["_user_id"], sess["_fresh"] = session_token(staff), True
        assert upload(client, CSV).status_code == 400
        page = client.get("/admin/customers/import").get_data(as_text=True)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        response = client.post("/admin/customers/import", data={"file": (io.BytesIO(CSV), "c.csv"),
                                                                 "csrf_token": token})
        url = preview_url(response)
        assert 'name="csrf_token"' in client.get(url).get_data(as_text=True)
        assert client.post(url, data={"col_0": "email", "col_1": "name", "confirm": "1"}).status_code == 400
        assert db.session.scalar(select(func.count()).select_from(Advocate)) == 0
