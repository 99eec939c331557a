"""The monthly report goes to marketing once per month: two schedulers at the due time store one email per
recipient, a later run stores nothing, and the email carries the report's CSV as an attachment."""

from datetime import datetime, timedelta

import sqlalchemy as sa

from app.jobs import registry
from app.jobs.runner import SERVED, run_due, run_once
from app.models import OutboxMessage, StaffRole
from app.services import clock
from app.services.analytics import report, report_output
from app.services.messaging import outbox
from tests.factories import make_staff
from tests.services.analytics.test_report import MAY, build_month

JOB = next(job for job in registry() if job.name == "send_monthly_report")
DUE = datetime(2026, 6, 1, 4, 0)  # 1 June 00:00 in New York


def _messages(session):
    session.expire_all()
    return session.scalars(sa.select(OutboxMessage).where(OutboxMessage.kind == "monthly_report")
                           .order_by(OutboxMessage.id)).all()


def _staff(session):
    mia, max_ = make_staff(session, role=StaffRole.MARKETING), make_staff(session, role=StaffRole.MARKETING)
    make_staff(session, role=StaffRole.MARKETING, active=False)
    make_staff(session, role=StaffRole.ADMIN)
    make_staff(session, role=StaffRole.CSM)
    return mia, max_


def test_two_schedulers_send_last_months_report_once_to_each_marketer(app, session):
    build_month(session)
    mia, max_ = _staff(session)
    session.commit()
    clock.freeze(DUE + timedelta(minutes=20))
    first, second = run_due(app, JOB, "scheduler-a"), run_due(app, JOB, "scheduler-b")
    assert (first.ran, first.items, first.error) == (True, 2, None)
    assert (second.ran, second.skipped) == (False, SERVED)
    assert run_once(app, JOB, holder="admin:1", now=DUE + timedelta(hours=5)).items == 0
    assert report_output.enqueue_monthly(session, now=DUE + timedelta(days=2)) == 0
    sent = _messages(session)
    assert [(m.dedupe_key, m.to_email) for m in sent] == [
        (f"monthly-report:2026-05:staff:{mia.id}", mia.email),
        (f"monthly-report:2026-05:staff:{max_.id}", max_.email)]
    assert sent[0].subject == "Rallypoint: the report for May 2026"
    expected = report_output.to_csv(report.build(session, month=MAY, now=DUE + timedelta(minutes=20)))
    assert sent[0].attachments == [{"filename": "monthly-report-2026-05.csv", "content_type": "text/csv",
                                    "content": expected}]
    assert "800.00 USD" in sent[0].body_html and "<svg" not in sent[0].body_html


def test_nothing_is_sent_before_the_first_or_after_the_catch_up_window(session):
    build_month(session)
    _staff(session)
    assert report_output.enqueue_monthly(session, now=DUE - timedelta(minutes=1)) == 0  # 31 May locally
    assert report_output.enqueue_monthly(session, now=DUE + report_output.WINDOW) == 0
    assert _messages(session) == []
    assert report_output.enqueue_monthly(session, now=DUE + report_output.WINDOW - timedelta(minutes=1)) == 2


def test_admins_receive_it_when_there_is_no_marketer(session):
    build_month(session)
    admin = make_staff(session, role=StaffRole.ADMIN)
    assert report_output.enqueue_monthly(session, now=DUE) == 1
    assert [m.to_email for m in _messages(session)] == [admin.email]


def test_the_csv_is_attached_to_the_email_that_goes_out(session):
    build_month(session)
    _staff(session)
    report_output.enqueue_monthly(session, now=DUE)
    message = _messages(session)[0]
    email = outbox.SmtpSender(host="h", port=25, username=None, password=None, use_tls=False,
                              from_addr="Rallypoint <team@example.org>").build(message)
    body = email.get_body(("html",))
    assert "Rallypoint: the report for May 2026" in body.get_content()
    [attachment] = list(email.iter_attachments())
    assert attachment.get_filename() == "monthly-report-2026-05.csv"
    assert attachment.get_content_type() == "text/csv"
    lines = attachment.get_content().splitlines()
    assert lines == message.attachments[0]["content"].splitlines() and len(lines) > 50
    assert attachment.get_content_charset() == "utf-8"
