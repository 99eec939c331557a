"""`flask badges backfill` issues the missing badges, prints counts and is safe to run twice."""

from app.models import BadgeAssertion, Status
from tests.factories import make_advocate


def test_backfill_prints_counts_and_is_idempotent(app, session):
    make_advocate(session, status=Status.SILVER)
    make_advocate(session, status=Status.BRONZE)
    session.commit()
    runner = app.test_cli_runner()
    first = runner.invoke(args=["badges", "backfill"])
    assert first.exit_code == 0 and "Badges issued: 1; already held: 0." in first.output
    again = runner.invoke(args=["badges", "backfill"])
    assert again.exit_code == 0 and "Badges issued: 0; already held: 1." in again.output
    assert session.query(BadgeAssertion).count() == 1
