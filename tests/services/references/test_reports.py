"""The reference figures on a hand-computed fixture."""

from app.models import ReferenceRequestState, Status
from app.services import references
from app.services.analytics import kpis
from tests.services.references.support import D, new_request, referee, reference_activity


def test_reference_figures(session, now):
    reference_activity(session)
    for _ in range(6):
        referee(session, now)
    referee(session, now, status=Status.BRONZE)  # below the minimum: not available
    referee(session, now, opted_in=False)
    done = new_request(session, now - 10 * D)
    done.state, done.fulfilled_at = ReferenceRequestState.COMPLETED, now - 7 * D  # 3 days
    new_request(session, now - 5 * D)  # open
    asked = new_request(session, now - 2 * D)
    asked.state = ReferenceRequestState.ASKED
    cancelled = new_request(session, now - D)
    cancelled.state = ReferenceRequestState.CANCELLED
    new_request(session, now - 40 * D)  # open, filed before the period
    session.flush()
    period = kpis.period(first=(now - 29 * D).date(), last=now.date(), now=now, timezone="UTC")
    figures = kpis.reference_figures(session, period=period)
    assert (figures.open_requests, figures.filed, figures.fulfilled) == (3, 3, 1)
    assert figures.fulfilment_rate == 1 / 3
    assert figures.days_to_fulfil == 3.0
    assert (figures.available, figures.availability, figures.target) == (6, 2.0, 5)


def test_no_requests_no_ratios(session, now):
    figures = references.figures(session, start=now - 30 * D, end=now)
    assert (figures.fulfilment_rate, figures.days_to_fulfil, figures.availability) == (None, None, None)
