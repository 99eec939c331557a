"""Emails carry the brand: the program's name, its logo (an absolute URL from PUBLIC_BASE_URL) and colour."""

import sqlalchemy as sa

from app.extensions import db
from app.models import OutboxMessage
from app.services.messaging import outbox
from app.services.program import settings

CONTEXT = {"name": "Ada <Lovelace>", "mission": "Write a review", "deadline": "1 July",
           "program": "Acme Insiders"}
LOGO = "c0ffee" * 5 + "ab"


def _branded_email(session, now, **brand):
    settings.save(session, changes={"program_name": "Acme Insiders", "brand_color": "#7c2d12", **brand},
                  actor_id=None, now=now)
    outbox.enqueue(session, dedupe_key="reminder-start:attempt:1", kind="reminder",
                   to_email="ada@example.com", subject="A reminder", template="reminder_started",
                   context=CONTEXT, now=now)
    return session.scalar(sa.select(OutboxMessage))


def test_an_email_carries_the_logo_from_the_public_address_and_the_colour(app_factory, now):
    app = app_factory(PUBLIC_BASE_URL="https://advocates.acme.example")
    with app.app_context():
        message = _branded_email(db.session, now, brand_logo=LOGO)
        html = message.body_html
        db.session.remove()
    assert f'<img src="https://advocates.acme.example/brand/logo/{LOGO}" alt=""' in html
    assert "vertical-align:middle\">Acme Insiders</strong>" in html
    assert "border-top:6px solid #7c2d12" in html
    assert "Hi Ada &lt;Lovelace&gt;," in html  # the message itself, still escaped, inside the layout
    assert html.index("brand/logo") < html.index("Hi Ada")
    assert "Hi Ada <Lovelace>," in message.body_text and "brand/logo" not in message.body_text


def test_without_a_public_address_an_email_shows_the_name_only(session, now):
    html = _branded_email(session, now, brand_logo=LOGO).body_html
    assert "<img" not in html and "brand/logo" not in html
    assert '<strong style="font-size:20px;color:#7c2d12;vertical-align:middle">Acme Insiders</strong>' in html


def test_the_stock_brand_is_used_until_one_is_set(session, now):
    message = outbox.render("reminder_started", CONTEXT, outbox.email_brand(session))[1]
    assert "vertical-align:middle\">Rallypoint</strong>" in message and "#0172ad" in message
