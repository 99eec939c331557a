from app.models import LedgerReason
from app.services import ledger
from tests.factories import make_advocate


def test_posting_the_same_key_twice_awards_once(session, now):
    advocate = make_advocate(session)
    first = ledger.post_entry(session, advocate_id=advocate.id, amount=100, reason=LedgerReason.BONUS,
                              idempotency_key="bonus:1", now=now)
    second = ledger.post_entry(session, advocate_id=advocate.id, amount=100, reason=LedgerReason.BONUS,
                               idempotency_key="bonus:1", now=now)
    assert first.created and not second.created
    assert second.entry.id == first.entry.id
    session.refresh(advocate)
    assert advocate.balance == 100 and advocate.lifetime_points == 100
    assert ledger.verify(session) == []
