"""Importing customer records: upsert by external id then email, per-row report, no half-applied rows."""

from datetime import date

from sqlalchemy import func, select

from app.models import Advocate, AdvocateState, CustomerSignal, Invite, OutboxMessage
from app.services import customers
from tests.factories import make_advocate, make_staff

HEADER = "external_id,email,name,company,nps,health_score,customer_since,purchases,csat,recovered,usage_depth"


def csv_import(session, now, *lines, header=HEADER, newline="\n", bom=False):
    text = newline.join([header, *lines]) + newline
    data = ("\ufeff" + text if bom else text).encode()
    return customers.import_csv(session, data=data, now=now)


def by_email(session, email):
    return session.scalars(select(Advocate).where(Advocate.email == email)).first()


def test_new_records_become_invited_advocates_without_any_invitation(session, now):
    report = csv_import(session, now,
                        "crm-1,Ada@Example.com,Ada Lovelace,Analytical,10,90,2024-01-31,3,4.5,yes,80")
    assert (report.created, report.updated, report.rejected) == (1, 0, [])
    ada = by_email(session, "ada@example.com")
    assert (ada.external_id, ada.name, ada.company, ada.state) == ("crm-1", "Ada Lovelace", "Analytical",
                                                                  AdvocateState.INVITED)
    assert (ada.nps, ada.health_score, ada.customer_since) == (10, 90, date(2024, 1, 31))
    signal = session.get(CustomerSignal, ada.id)
    assert (signal.purchase_count, signal.csat, signal.recovered, signal.usage_depth) == (3, 4.5, True, 80)
    assert session.scalar(select(func.count()).select_from(Invite)) == 0
    assert session.scalar(select(func.count()).select_from(OutboxMessage)) == 0
    assert report.results[0].line == 2 and report.results[0].advocate_id == ada.id


def test_a_row_updates_the_record_with_its_external_id_even_under_a_new_email(session, now):
    existing = make_advocate(session, external_id="crm-7", email="old@example.com", nps=6)
    report = customers.import_rows(session, rows=[{"external_id": "crm-7", "email": "New@Example.com",
                                                   "nps": 9}], now=now)
    assert (report.created, report.updated) == (0, 1)
    assert (existing.email, existing.nps, existing.state) == ("new@example.com", 9, AdvocateState.ACTIVE)


def test_without_an_external_id_the_email_matches_whatever_its_case(session, now):
    existing = make_advocate(session, email="grace@example.com", health_score=50)
    report = customers.import_rows(session, rows=[{"email": " GRACE@example.COM ", "health_score": "88",
                                                   "external_id": "crm-9"}], now=now)
    assert report.updated == 1 and report.created == 0
    assert (existing.health_score, existing.external_id) == (88, "crm-9")


def test_an_email_of_a_record_with_another_external_id_is_rejected(session, now):
    make_advocate(session, email="a@example.com", external_id="crm-a")
    make_advocate(session, email="b@example.com", external_id="crm-b")
    first = customers.import_rows(
        session, rows=[{"external_id": "crm-x", "email": "a@example.com", "name": "X"}], now=now)
    second = customers.import_rows(session, rows=[{"external_id": "crm-b", "email": "a@example.com"}],
                                   now=now)
    assert [r.outcome for r in first.results + second.results] == ["rejected", "rejected"]
    assert "external_id crm-a" in first.results[0].reason
    assert "belongs to another customer record" in second.results[0].reason
    assert by_email(session, "b@example.com").external_id == "crm-b"


def test_blank_values_leave_stored_ones_alone(session, now):
    existing = make_advocate(session, email="keep@example.com", nps=9, company="Keep Co")
    customers.import_rows(session, rows=[{"email": "keep@example.com", "nps": "", "company": None,
                                          "purchases": 2}], now=now)
    assert (existing.nps, existing.company) == (9, "Keep Co")
    customers.import_rows(session, rows=[{"email": "keep@example.com", "usage_depth": 55}], now=now)
    assert session.get(CustomerSignal, existing.id).purchase_count == 2


def test_a_bad_row_changes_nothing_while_the_rows_around_it_apply(session, now):
    existing = make_advocate(session, email="mid@example.com", nps=8, company="Before")
    report = csv_import(
        session, now,
        "crm-1,first@example.com,First,One,9,80,2024-01-01,1,,no,50",
        ",mid@example.com,,After,11,abc,2030-01-01,-1,7,maybe,101",
        "crm-3,third@example.com,Third,Three,10,75,2023-05-01,2,5,,60")
    assert (report.created, report.updated) == (2, 0)
    [bad] = report.rejected
    assert bad.line == 3 and bad.key == "mid@example.com"
    for part in ("nps: from 0 to 10", "health_score: a whole number",
                 "customer_since: 2030-01-01 is in the future",
                 "purchases: from 0 to 1,000,000", "csat: an average from 1 to 5", "recovered: yes or no",
                 "usage_depth: from 0 to 100"):
        assert part in bad.reason, part
    session.refresh(existing)
    assert (existing.company, existing.nps) == ("Before", 8)
    assert session.get(CustomerSignal, existing.id) is None


def test_a_row_refused_while_writing_is_rolled_back_alone(session, now):
    staff = make_staff(session, email="staff@example.com")
    report = customers.import_rows(session, rows=[
        {"email": "ok@example.com", "name": "Ok"},
        {"external_id": "crm-s", "email": staff.email, "name": "Staff", "nps": 10},
        {"external_id": "crm-n"}], now=now)
    assert [r.outcome for r in report.results] == ["created", "rejected", "rejected"]
    assert "staff account" in report.results[1].reason and "needs an email" in report.results[2].reason
    assert session.scalars(select(Advocate.email)).all() == ["ok@example.com"]


def test_a_new_record_needs_a_name_and_a_row_needs_a_key(session, now):
    report = customers.import_rows(session, rows=[{"email": "nameless@example.com"}, {"nps": 9}, "junk"],
                                   now=now)
    assert [r.reason for r in report.results] == [
        "a new record needs a name", "give an external_id or an email",
        "a record must be an object of column: value"]


def test_the_same_customer_twice_in_one_file_applies_the_first_row_only(session, now):
    report = csv_import(session, now, "crm-1,twice@example.com,Twice,A,7,,,,,,",
                        "crm-1,other@example.com,Twice,B,9,,,,,,", "crm-2,TWICE@example.com,Twice,C,9,,,,,,")
    assert [(r.line, r.outcome) for r in report.results] == [(2, "created"), (3, "rejected"), (4, "rejected")]
    assert report.results[1].reason == "duplicate of line 2: the same external_id crm-1"
    assert report.results[2].reason == "duplicate of line 2: the same email twice@example.com"
    assert report.results[2].problems[0].field == "email"
    assert by_email(session, "twice@example.com").company == "A"
    assert by_email(session, "other@example.com") is None


def test_a_csv_with_a_bom_and_crlf_line_endings_imports(session, now):
    report = csv_import(session, now, 'crm-1,crlf@example.com,"Quoted, Name",Co,9,80,,,,,',
                        "", "crm-2,two@example.com,Two,Co,9,80,,,,,", newline="\r\n", bom=True)
    assert (report.created, report.rejected) == (2, [])
    assert [r.line for r in report.results] == [2, 4]
    assert by_email(session, "crlf@example.com").name == "Quoted, Name"


def test_headers_are_read_without_case_or_padding_and_in_any_order(session, now):
    report = csv_import(session, now, "Cara,cara@example.com,2", header=" Name ,EMAIL,referrals_made")
    assert report.created == 1
    assert session.get(CustomerSignal, by_email(session, "cara@example.com").id).referrals_made == 2


def test_an_unknown_column_refuses_the_whole_file_at_line_1(session, now):
    report = csv_import(session, now, "x@example.com,X,9", header="email,name,nsp")
    [refused] = report.results
    assert refused.line == 1 and refused.outcome == "rejected"
    assert "unknown column 'nsp'" in refused.reason and "Nothing was imported" in refused.reason
    assert session.scalars(select(Advocate)).first() is None


def test_unknown_fields_in_a_dict_row_reject_that_row(session, now):
    report = customers.import_rows(session, rows=[{"email": "u@example.com", "name": "U", "colour": "red"}],
                                   now=now)
    assert report.rejected[0].reason == "unknown field 'colour'"


def test_files_that_are_not_utf8_or_lack_a_key_column_are_refused(session, now):
    latin = customers.import_csv(session, data="email,name\nz@example.com,Zoë\n".encode("latin-1"), now=now)
    assert "not UTF-8" in latin.rejected[0].reason
    keyless = csv_import(session, now, "Name", header="name")
    assert "needs an email or an external_id column" in keyless.rejected[0].reason
    twice = csv_import(session, now, "a@example.com,b@example.com", header="email,email")
    assert "appears twice" in twice.rejected[0].reason


def test_a_line_with_too_many_cells_is_rejected_with_its_line(session, now):
    report = csv_import(session, now, "ok@example.com,Ok", "extra@example.com,Extra,surplus",
                        header="email,name")
    assert report.created == 1
    assert (report.rejected[0].line, report.rejected[0].reason) == (3, "3 cells but the header has 2 columns")


def test_json_rows_may_carry_native_types(session, now):
    report = customers.import_rows(session, rows=[{
        "email": "native@example.com", "name": "Native", "nps": 10, "csat": 4, "recovered": False,
        "tags": ["api", "reporting"], "last_active_on": "2026-06-01"}], now=now)
    assert report.created == 1
    native = by_email(session, "native@example.com")
    assert native.tags == ["api", "reporting"]
    assert session.get(CustomerSignal, native.id).last_active_on == date(2026, 6, 1)
    bad = customers.import_rows(session, rows=[{"email": "b@example.com", "name": "B", "nps": True}], now=now)
    assert bad.rejected[0].reason == "nps: a whole number from 0 to 10"


def test_counts_beyond_any_real_one_are_rejected_not_an_error(session, now):
    report = customers.import_rows(session, rows=[
        {"email": "a@example.com", "name": "A", "purchases": 10**40},
        {"email": "b@example.com", "name": "B", "referrals_made": "9" * 5000},
        {"email": "c@example.com", "name": "C", "social_mentions": 1_000_000},
    ], now=now)
    assert [r.outcome for r in report.results] == ["rejected", "rejected", "created"]
    assert report.results[0].problems[0].field == "purchases"
