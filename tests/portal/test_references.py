"""The portal's References page and the email's signed link: opting in, answering once, feedback."""

from sqlalchemy import select

from app.models import ReferenceAsk, ReferenceAskState, ReferenceProfile
from app.services import references
from tests.services.references.support import LINKS, new_request, referee, reference_activity


def offered(session, now):
    reference_activity(session)
    ada = referee(session, now, name="Ada Fit")
    filed = new_request(session, now)
    ask = references.send_ask(session, request_id=filed.id, advocate_id=None, sent_by="Mia", now=now,
                              links=LINKS)
    session.commit()
    return ada, ask


def test_opting_in_with_use_cases(client, login, session, now):
    ada = referee(session, now, opted_in=False)
    session.commit()
    login(ada)
    response = client.post("/portal/references/profile", follow_redirects=True,
                           data={"opted_in": "y", "use_cases": "SSO, Reporting"})
    assert response.status_code == 200
    session.expire_all()
    profile = session.get(ReferenceProfile, ada.id)
    assert (profile.opted_in, profile.use_cases) == (True, ",sso,reporting,")
    bad = client.post("/portal/references/profile", data={"opted_in": "y", "use_cases": "50% off"})
    assert bad.status_code == 422 and "Use letters, digits and hyphens" in bad.get_data(as_text=True)


def test_accepting_in_the_portal_then_feedback(client, login, session, now):
    ada, ask = offered(session, now)
    login(ada)
    assert "Accept the call" in client.get("/portal/references").get_data(as_text=True)
    client.post(f"/portal/references/asks/{ask.id}/accept")
    session.expire_all()
    assert session.get(ReferenceAsk, ask.id).state == ReferenceAskState.ACCEPTED
    page = client.post(f"/portal/references/asks/{ask.id}/feedback", data={"rating": "4", "text": "Fine"},
                       follow_redirects=True).get_data(as_text=True)
    assert "Your feedback: 4 of 5" in page


def test_someone_elses_ask_is_not_found(client, login, session, now):
    _, ask = offered(session, now)
    other = referee(session, now)
    session.commit()
    login(other)
    client.post(f"/portal/references/asks/{ask.id}/accept")
    session.expire_all()
    assert session.get(ReferenceAsk, ask.id).state == ReferenceAskState.OFFERED


def test_the_signed_email_link_answers_once(app, client, session, now):
    ada, ask = offered(session, now)
    links = references.AnswerLinks(app.config["SECRET_KEY"], "http://localhost")
    token = links.token(ask.id, ada.id)
    page = client.get(f"/reference-answer/{token}").get_data(as_text=True)
    assert "Prospect Ltd" in page and "Yes, I will take the call" in page
    client.post(f"/reference-answer/{token}", data={"action": "decline"})
    session.expire_all()
    assert session.get(ReferenceAsk, ask.id).state == ReferenceAskState.DECLINED
    client.post(f"/reference-answer/{token}", data={"action": "accept"})
    session.expire_all()
    assert session.get(ReferenceAsk, ask.id).state == ReferenceAskState.DECLINED
    assert client.get(f"/reference-answer/{token}x").status_code == 404
    forged = references.AnswerLinks("not-our-secret", "http://x").token(ask.id, ada.id)
    assert client.get(f"/reference-answer/{forged}").status_code == 404


def test_the_email_carries_the_link(session, now):
    from app.models import OutboxMessage
    _, ask = offered(session, now)
    body = session.scalars(select(OutboxMessage.body_text)
                           .where(OutboxMessage.dedupe_key == f"reference-ask:{ask.id}")).one()
    assert "https://rallypoint.test/reference-answer/" in body
