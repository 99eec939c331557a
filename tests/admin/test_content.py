"""The staff content library: marketing and admins only; filters, items by hand, CSV export of
consented items only, publish only when consented, the case-study editor saved step by step."""

import pytest

from app.models import ContentItem, ContentState
from app.services import content, feed
from tests.factories import make_advocate


def _item(session, now, **values):
    advocate = make_advocate(session, name="Jane Doe", company="Acme")
    values = {"kind": "testimonial", "text": "Fast and friendly.", "advocate_id": advocate.id} | values
    item = content.create(session, new=content.NewItem(**values), staff_id=None, now=now)
    session.commit()
    return item


@pytest.mark.parametrize("role,code", [("csm", 403), ("marketing", 200), ("admin", 200)])
def test_only_marketing_and_admins_see_the_library(as_role, client, role, code):
    as_role(role)
    assert client.get("/admin/content").status_code == code


def test_list_filters_and_detail(as_role, client, session, now):
    item = _item(session, now)
    content.create(session, new=content.NewItem(kind="quote", text="Other", author_name="Bo"), staff_id=None,
                   now=now)
    session.commit()
    as_role("marketing")
    page = client.get("/admin/content?q=friendly").get_data(as_text=True)
    assert "Fast and friendly." in page and ">Other<" not in page and "Content library" in page
    assert "Fast and friendly." not in client.get("/admin/content?kind=quote").get_data(as_text=True)
    assert "Fast and friendly." not in client.get("/admin/content?consent=website").get_data(as_text=True)
    detail = client.get(f"/admin/content/{item.id}").get_data(as_text=True)
    assert "Not publishable" in detail and "has not agreed to the website use" in detail


def test_export_holds_only_consented_items_for_the_chosen_use(as_role, client, session, now):
    item = _item(session, now)
    other = _item(session, now, text="Never agreed")
    content.set_consent(session, item_id=item.id, use="sales", granted=True, by_kind="advocate",
                        by_id=item.advocate_id, now=now)
    session.commit()
    as_role("marketing")
    sales = client.get("/admin/content/export.csv?use=sales")
    assert sales.mimetype == "text/csv" and "Fast and friendly." in sales.get_data(as_text=True)
    assert "Never agreed" not in sales.get_data(as_text=True) and other.id
    website = client.get("/admin/content/export.csv?use=website").get_data(as_text=True)
    assert "Fast and friendly." not in website
    assert client.get("/admin/content/export.csv").status_code == 302  # a use must be chosen


def test_publish_is_refused_without_consent_and_works_with_it(as_role, client, session, now):
    item = _item(session, now)
    as_role("marketing")
    client.post(f"/admin/content/{item.id}/publish")
    assert feed.page(session).entries == []
    content.set_consent(session, item_id=item.id, use="website", granted=True, by_kind="advocate",
                        by_id=item.advocate_id, now=now)
    session.commit()
    assert client.post(f"/admin/content/{item.id}/publish").status_code == 302
    assert [e.name for e in feed.page(session).entries] == ["Jane Doe"]
    assert "In the community feed since" in client.get(f"/admin/content/{item.id}").get_data(as_text=True)


def test_add_by_hand_shows_errors_next_to_fields(as_role, client, session):
    as_role("marketing")
    refused = client.post("/admin/content/new", data={"kind": "quote", "text": "Words"})
    assert refused.status_code == 422 and "Name the author" in refused.get_data(as_text=True)
    assert session.query(ContentItem).count() == 0
    made = client.post("/admin/content/new", data={"kind": "quote", "text": "Words", "author_name": "Sam Lee",
                                                   "industry": "Retail"})
    assert made.status_code == 302
    assert session.query(ContentItem).one().industry == "Retail"


def test_the_case_study_editor_saves_each_step_then_sends(as_role, client, session, now):
    item = _item(session, now, kind="case_study", text="", title="Acme story")
    as_role("marketing")
    page = client.get(f"/admin/content/{item.id}/editor").get_data(as_text=True)
    assert "Challenge" in page and "Save and continue" in page
    for step in content.STEPS:
        saved = client.post(f"/admin/content/{item.id}/editor/{step}", data={"text": f"The {step}."})
        assert saved.status_code == 302
    assert saved.location.endswith("step=review")
    empty = client.post(f"/admin/content/{item.id}/editor/quote", data={"text": ""})
    assert empty.status_code == 422
    assert client.post(f"/admin/content/{item.id}/send").status_code == 302
    session.expire_all()
    assert session.get(ContentItem, item.id).state == ContentState.AWAITING_AUTHOR
