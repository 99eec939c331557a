"""Staff reference pages: filing (errors next to the field, nothing stored), the matches, who may ask
and record the call."""

import pytest
from sqlalchemy import func, select

from app.models import ReferenceAsk, ReferenceAskState, ReferenceRequest
from app.services import references
from tests.services.references.support import LINKS, new_request, referee, reference_activity


@pytest.fixture
def request_with_match(session, now):
    reference_activity(session)
    ada = referee(session, now, name="Ada Fit", industry="Software", company_size="51-200")
    filed = new_request(session, now)
    session.commit()
    return filed, ada


def test_filing_a_request_lands_on_its_matches(client, as_role, session, now, request_with_match):
    as_role("csm")  # every staff member may file one
    response = client.post("/admin/references/new", follow_redirects=True,
                           data={"prospect_company": "Acme", "industry": "Software", "use_cases": "sso"})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Acme" in page and "Ada Fit" in page and "Same industry (Software): +40" in page
    assert "Ask Ada Fit" not in page  # a CSM may not send the ask


def test_a_bad_request_shows_the_error_and_stores_nothing(client, as_role, session):
    as_role("marketing")
    response = client.post("/admin/references/new",
                           data={"prospect_company": "Acme", "use_cases": "sso", "needed_by": "2020-01-01"})
    assert response.status_code == 422
    assert "The needed-by date is in the past." in response.get_data(as_text=True)
    assert session.scalar(select(func.count()).select_from(ReferenceRequest)) == 0


def test_marketing_asks_and_records_the_call(client, as_role, session, now, request_with_match):
    filed, ada = request_with_match
    as_role("marketing")
    response = client.post(f"/admin/references/{filed.id}/ask", data={"advocate_id": str(ada.id)},
                           follow_redirects=True)
    assert "Asked Ada Fit" in response.get_data(as_text=True)
    ask = session.scalars(select(ReferenceAsk)).one()
    references.answer(session, ask_id=ask.id, advocate_id=ada.id, accept=True, now=now, links=LINKS)
    session.commit()
    bad = client.post(f"/admin/references/{filed.id}/asks/{ask.id}/complete", data={"rating": "9"})
    assert bad.status_code == 422
    done = client.post(f"/admin/references/{filed.id}/asks/{ask.id}/complete",
                       data={"rating": "5", "text": "Great"}, follow_redirects=True)
    assert "Call recorded" in done.get_data(as_text=True)
    session.expire_all()
    assert session.get(ReferenceAsk, ask.id).state == ReferenceAskState.COMPLETED


def test_a_csm_cannot_send_the_ask(client, as_role, session, request_with_match):
    filed, ada = request_with_match
    as_role("csm")
    refused = client.post(f"/admin/references/{filed.id}/ask", data={"advocate_id": str(ada.id)})
    assert refused.status_code == 403
    assert session.scalar(select(func.count()).select_from(ReferenceAsk)) == 0


def test_the_figures_page_shows_the_reference_block(client, as_role, session, request_with_match):
    as_role("marketing")
    page = client.get("/admin/figures").get_data(as_text=True)
    assert "Open requests" in page and "Availability (target 5 : 1)" in page
