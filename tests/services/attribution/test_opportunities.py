"""Recording the CRM's opportunities: upsert by the CRM's id, links replaced, and every refusal named."""

from datetime import date

import pytest

from app.models import InfluenceKind, OpportunityLink, OpportunityStage, ReferralState
from app.services import attribution
from app.services.errors import ValidationFailed
from app.services.program import settings as settings_service
from tests.services.attribution.support import content_item, deal, reference_request, referral


def test_the_crm_id_upserts_and_the_links_are_replaced(session, now):
    first, second = reference_request(session, now), reference_request(session, now)
    review = content_item(session)
    opportunity, created = attribution.record_opportunity(session, fields=attribution.OpportunityFields(
        crm_id=" 006A1 ", amount=48_000, currency="USD", stage=OpportunityStage.OPEN,
        references=(first.id, second.id, first.id), content=(review.id,)), now=now)
    assert created and opportunity.crm_id == "006A1"
    assert attribution.links_of(opportunity) == {
        InfluenceKind.REFERENCE: sorted([first.id, second.id]), InfluenceKind.CONTENT: [review.id],
        InfluenceKind.REFERRAL: []}
    friend = referral(session)
    again, created = attribution.record_opportunity(session, fields=attribution.OpportunityFields(
        crm_id="006A1", amount=50_000, currency="USD", stage=OpportunityStage.WON,
        close_date=date(2026, 6, 1), references=(second.id,), referrals=(friend.id,)), now=now)
    assert not created and again.id == opportunity.id
    assert (again.amount, again.stage, again.close_date) == (50_000, OpportunityStage.WON, date(2026, 6, 1))
    assert attribution.links_of(again) == {InfluenceKind.REFERENCE: [second.id], InfluenceKind.CONTENT: [],
                                           InfluenceKind.REFERRAL: [friend.id]}
    assert session.query(OpportunityLink).count() == 2


def _refused(session, now, field, **changes):
    values = dict(crm_id="X1", amount=100, currency="USD", stage=OpportunityStage.WON,
                  close_date=date(2026, 6, 1))
    values.update(changes)
    with pytest.raises(ValidationFailed) as error:
        attribution.record_opportunity(session, fields=attribution.OpportunityFields(**values), now=now)
    assert error.value.field == field, error.value.message
    return error.value.message


def test_refusals_name_the_field_and_write_nothing(session, now):
    assert "program's currency, USD" in _refused(session, now, "currency", currency="EUR")
    assert "close_date is required" in _refused(session, now, "close_date", close_date=None)
    assert _refused(session, now, "id", crm_id="  ") == "id is required."
    assert "999" in _refused(session, now, "references", references=(999,))
    rejected = referral(session, state=ReferralState.REJECTED)
    assert "rejected" in _refused(session, now, "referrals", referrals=(rejected.id,))
    missing = content_item(session).id + 1  # no content item has this id
    assert str(missing) in _refused(session, now, "content", content=(missing,))
    assert "from 0 to" in _refused(session, now, "amount", amount=-1)
    assert _refused(session, now, "references", references=tuple(range(1, 102))).endswith("at most 100 ids.")
    assert session.query(OpportunityLink).count() == 0


def test_the_program_currency_is_the_setting(session, now):
    settings_service.save(session, changes={"currency": "EUR"}, actor_id=None, now=now)
    assert deal(session, now, "E1", 10, currency="EUR").currency == "EUR"
    assert "program's currency, EUR" in _refused(session, now, "currency", currency="USD")
    with pytest.raises(ValidationFailed) as error:
        settings_service.save(session, changes={"currency": "euro"}, actor_id=None, now=now)
    assert error.value.field == "currency"
