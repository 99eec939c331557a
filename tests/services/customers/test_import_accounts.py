"""The customer import's account columns: `state` moves an existing advocate as the lifecycle table
allows (new records start invited, or opted_out), `owner_email` names an active staff user; a bad
value rejects the whole row with its line and reason; every change is recorded with source import."""

from sqlalchemy import select

from app.models import AccountEvent, Advocate, AdvocateState, EventKind, EventSource, StaffRole
from app.services import customers
from tests.factories import make_advocate, make_staff


def csv_import(session, now, *lines, header="email,name,company,state,owner_email"):
    data = ("\n".join([header, *lines]) + "\n").encode()
    return customers.import_csv(session, data=data, now=now)


def by_email(session, email):
    session.expire_all()
    return session.scalars(select(Advocate).where(Advocate.email == email)).one()


def events(session):
    return session.scalars(select(AccountEvent).order_by(AccountEvent.id)).all()


def test_state_and_owner_columns_apply_through_the_lifecycle_rules(session, now):
    csm = make_staff(session, role=StaffRole.CSM, email="casey@example.com")
    make_advocate(session, email="ada@example.com", name="Ada", company="A")
    make_advocate(session, email="bo@example.com", name="Bo", company="B", state=AdvocateState.PAUSED)
    session.commit()
    report = csv_import(session, now, "ada@example.com,Ada,A,paused,casey@example.com",
                        "bo@example.com,Bo,B Corp,active,",
                        "new@example.com,New Person,N,,Casey@Example.com",
                        "gone@example.com,Gone Person,G,opted_out,")
    session.commit()
    assert (report.created, report.updated, report.rejected_count) == (2, 2, 0)
    ada, bo = by_email(session, "ada@example.com"), by_email(session, "bo@example.com")
    new, gone = by_email(session, "new@example.com"), by_email(session, "gone@example.com")
    assert (ada.state, ada.owner_id) == (AdvocateState.PAUSED, csm.id)
    assert (bo.state, bo.company) == (AdvocateState.ACTIVE, "B Corp")
    assert (new.state, new.owner_id) == (AdvocateState.INVITED, csm.id)
    assert (gone.state, gone.owner_id) == (AdvocateState.OPTED_OUT, None)
    recorded = [(e.advocate_id, e.kind, e.from_value, e.to_value, e.source, e.reason)
                for e in events(session)]
    assert len(recorded) == 5 and set(recorded) == set([
        (ada.id, EventKind.STATE, "active", "paused", EventSource.IMPORT, "Customer import, line 2."),
        (ada.id, EventKind.OWNER, None, "casey@example.com", EventSource.IMPORT, "Customer import, line 2."),
        (bo.id, EventKind.STATE, "paused", "active", EventSource.IMPORT, "Customer import, line 3."),
        (new.id, EventKind.OWNER, None, "casey@example.com", EventSource.IMPORT, "Customer import, line 4."),
        (gone.id, EventKind.STATE, "invited", "opted_out", EventSource.IMPORT, "Customer import, line 5."),
    ])


def test_a_bad_owner_rejects_the_whole_row_with_its_line(session, now):
    make_staff(session, role=StaffRole.CSM, email="casey@example.com", active=False)
    make_advocate(session, email="ada@example.com", name="Ada", company="Old Co")
    report = csv_import(session, now, "ada@example.com,Ada,New Co,paused,casey@example.com",
                        "new@example.com,New,N,,nobody@example.com",
                        "ok@example.com,Okay,O,,")
    assert (report.created, report.updated, report.rejected_count) == (1, 0, 2)
    assert [(r.line, r.problems[0].field) for r in report.rejected] == [(2, "owner_email"),
                                                                        (3, "owner_email")]
    assert "no active staff user" in report.rejected[0].reason
    ada = by_email(session, "ada@example.com")
    assert (ada.company, ada.state, ada.owner_id) == ("Old Co", AdvocateState.ACTIVE, None)  # nothing applied
    assert session.scalars(select(Advocate).where(Advocate.email == "new@example.com")).first() is None
    assert events(session) == []


def test_moves_the_table_forbids_reject_the_row(session, now):
    make_advocate(session, email="inv@example.com", name="Inv", state=AdvocateState.INVITED,
                  password_hash=None)
    report = csv_import(session, now, "inv@example.com,Inv,Changed,paused,",
                        "fresh@example.com,Fresh,F,active,",
                        "odd@example.com,Odd,O,sleeping,")
    assert report.rejected_count == 3 and (report.created, report.updated) == (0, 0)
    reasons = [r.reason for r in report.rejected]
    assert "cannot be made paused" in reasons[0] and "starts invited" in reasons[1] and "one of" in reasons[2]
    assert by_email(session, "inv@example.com").company != "Changed"


def test_a_state_equal_to_the_stored_one_is_unchanged(session, now):
    make_advocate(session, email="ada@example.com", name="Ada", company="A")
    report = csv_import(session, now, "ada@example.com,Ada,A,active,")
    assert (report.unchanged, report.updated) == (1, 0) and events(session) == []


def test_json_rows_carry_the_account_columns_too(session, now):
    csm = make_staff(session, role=StaffRole.CSM, email="casey@example.com")
    advocate = make_advocate(session, email="ada@example.com")
    report = customers.import_rows(session, rows=[{"email": "ada@example.com", "state": "opted_out",
                                                   "owner_email": "casey@example.com"}], now=now)
    assert report.updated == 1
    assert (advocate.state, advocate.owner_id) == (AdvocateState.OPTED_OUT, csm.id)
