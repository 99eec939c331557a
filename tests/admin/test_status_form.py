"""The advocate page's status form starts at the current status, and a demotion needs its own tick."""

import re

import pytest
from sqlalchemy import func, select

from app.models import Status, StatusChange
from tests.factories import make_advocate


def changes(session) -> int:
    return session.scalar(select(func.count(StatusChange.id)))


@pytest.mark.parametrize("status", list(Status))
def test_the_form_starts_at_the_current_status(as_role, client, session, status):
    as_role("admin")
    advocate = make_advocate(session, status=status)
    session.commit()
    page = client.get(f"/admin/advocates/{advocate.id}").get_data(as_text=True)
    select_html = re.search(r'<select[^>]*name="status"[^>]*>.*?</select>', page, re.S).group(0)
    assert re.findall(r'<option selected value="(\w+)">', select_html) == [status.value]
    assert f'data-current="{status.value}"' in select_html and "data-demotion=" in page


def test_a_demotion_without_the_tick_is_refused_next_to_the_field(as_role, client, session):
    as_role("admin")
    advocate = make_advocate(session, status=Status.GOLD)
    session.commit()
    response = client.post(f"/admin/advocates/{advocate.id}/status",
                           data={"status": "bronze", "reason": "Left the company"})
    page = response.get_data(as_text=True)
    assert 'id="status-error"' in page and "Bronze is lower than Gold" in page
    assert re.search(r'<option selected value="bronze">', page)  # what they chose stays chosen
    session.refresh(advocate)
    assert advocate.status == Status.GOLD and changes(session) == 0


def test_a_ticked_demotion_and_a_promotion_go_through(as_role, client, session):
    as_role("admin")
    advocate = make_advocate(session, status=Status.GOLD)
    session.commit()
    url = f"/admin/advocates/{advocate.id}/status"
    demote = {"status": "silver", "reason": "Left", "confirm_demotion": "y"}
    assert client.post(url, data=demote).status_code == 302
    session.refresh(advocate)
    assert advocate.status == Status.SILVER
    assert client.post(url, data={"status": "platinum", "reason": "Keynote"}).status_code == 302
    session.refresh(advocate)
    assert advocate.status == Status.PLATINUM and changes(session) == 2


def test_submitting_the_form_untouched_changes_nothing(as_role, client, session):
    as_role("admin")
    advocate = make_advocate(session, status=Status.PLATINUM)
    session.commit()
    response = client.post(f"/admin/advocates/{advocate.id}/status",
                           data={"status": "platinum", "reason": "x"})
    assert "already has that status" in response.get_data(as_text=True)
    session.refresh(advocate)
    assert advocate.status == Status.PLATINUM and changes(session) == 0
