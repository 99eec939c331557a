"""Verifiable badges, public side: the Open Badges 2.0 hosted documents (shapes written from the
spec's required fields), the verification page, the baked download, and no email anywhere."""

import re
from urllib.parse import parse_qs, urlsplit

import pytest

from app.models import Status
from app.services import badges
from app.services.badges import baking
from app.services.points import status as status_service
from tests.factories import make_advocate, make_staff

BASE = "https://advocates.example.com"
CONTEXT = "https://w3id.org/openbadges/v2"
# Open Badges 2.0 required properties per class (Assertion, BadgeClass, Profile, RevocationList).
ASSERTION_FIELDS = {"@context", "type", "id", "recipient", "badge", "verification", "issuedOn"}
CLASS_FIELDS = {"@context", "type", "id", "name", "description", "image", "criteria", "issuer"}
ISSUER_FIELDS = {"@context", "type", "id", "name", "url", "email", "revocationList"}
EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+")


@pytest.fixture
def app(app_factory):
    app = app_factory(PUBLIC_BASE_URL=BASE, BADGE_ISSUER_EMAIL="badges@vendor.example")
    with app.app_context():
        yield app


@pytest.fixture
def gold(session, now):
    advocate = make_advocate(session, name="Grace Hopper", email="grace@customer.example")
    status_service.set_status(session, advocate=advocate, to=Status.GOLD, reason="Strategic",
                              actor_id=make_staff(session).id, now=now)
    session.commit()
    [record] = badges.for_advocate(session, advocate_id=advocate.id)
    return record


def _path(url):
    assert url.startswith(BASE + "/"), url
    return url[len(BASE):]


def test_the_assertion_has_every_required_field_and_verifies_by_hosting(client, gold):
    response = client.get(f"/badges/assertions/{gold.uid}")
    doc = response.get_json()
    assert response.status_code == 200 and doc.keys() >= ASSERTION_FIELDS
    assert doc["@context"] == CONTEXT and doc["type"] == "Assertion"
    assert doc["id"] == f"{BASE}/badges/assertions/{gold.uid}"
    assert doc["verification"] == {"type": "hosted"}
    assert doc["issuedOn"] == "2026-06-15T12:00:00Z"
    recipient = doc["recipient"]
    assert recipient["type"] == "email" and recipient["hashed"] is True
    assert recipient["identity"] == badges.hashed_email("grace@customer.example", recipient["salt"])
    assert "revoked" not in doc
    badge = client.get(_path(doc["badge"])).get_json()
    assert badge["type"] == "BadgeClass" and badge["id"] == doc["badge"]
    assert response.headers["Access-Control-Allow-Origin"] == "*"


def test_the_badge_class_and_issuer_have_every_required_field(client):
    badge = client.get("/badges/class/gold").get_json()
    assert badge.keys() >= CLASS_FIELDS and badge["@context"] == CONTEXT and badge["type"] == "BadgeClass"
    assert badge["id"] == f"{BASE}/badges/class/gold" and badge["name"] == "Rallypoint Gold advocate"
    assert "3,000 lifetime points" in badge["criteria"]["narrative"]
    image = client.get(_path(badge["image"]))
    assert image.mimetype == "image/png" and image.data.startswith(baking.SIGNATURE)
    issuer = client.get(_path(badge["issuer"])).get_json()
    assert issuer.keys() >= ISSUER_FIELDS and issuer["type"] == "Issuer" and issuer["@context"] == CONTEXT
    assert issuer["id"] == f"{BASE}/badges/issuer" and issuer["email"] == "badges@vendor.example"
    assert issuer["url"] == f"{BASE}/" and issuer["revocationList"] == f"{BASE}/badges/revocations"
    assert client.get("/badges/class/diamond").status_code == 404


def test_a_lowered_status_revokes_the_badge_everywhere(client, session, gold, now):
    assert client.get("/badges/revocations").get_json()["revokedAssertions"] == []
    status_service.set_status(session, advocate=gold.advocate, to=Status.SILVER, reason="Left the company",
                              actor_id=make_staff(session).id, now=now)
    session.commit()
    listing = client.get("/badges/revocations").get_json()
    assert listing["type"] == "RevocationList" and listing["@context"] == CONTEXT
    assert listing["revokedAssertions"] == [{"id": f"{BASE}/badges/assertions/{gold.uid}",
                                             "revocationReason": "Left the company"}]
    response = client.get(f"/badges/assertions/{gold.uid}")
    assert response.status_code == 410
    assert response.get_json()["revoked"] is True
    page = client.get(f"/badges/{gold.uid}").get_data(as_text=True)
    assert "This badge was revoked" in page and "Valid badge" not in page
    assert "Left the company" in page and "Add to LinkedIn" not in page
    assert client.get(f"/badges/{gold.uid}/badge.png").status_code == 410


def test_the_verification_page_says_valid_and_links_to_linkedin_and_the_download(client, gold):
    response = client.get(f"/badges/{gold.uid}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "Valid badge" in page and "Grace Hopper" in page
    assert "Gold" in page and "15 Jun 2026" in page
    href = re.search(r'href="(https://www\.linkedin\.com/profile/add\?[^"]+)"', page).group(1)
    query = parse_qs(urlsplit(href.replace("&amp;", "&")).query)
    assert query["startTask"] == ["CERTIFICATION_NAME"] and query["name"] == ["Rallypoint Gold advocate"]
    assert query["organizationName"] == ["Rallypoint"]
    assert (query["issueYear"], query["issueMonth"]) == (["2026"], ["6"])
    assert query["certUrl"] == [f"{BASE}/badges/{gold.uid}"]
    download = client.get(f"/badges/{gold.uid}/badge.png")
    assert download.mimetype == "image/png" and "attachment" in download.headers["Content-Disposition"]
    assert baking.baked_url(download.data) == f"{BASE}/badges/assertions/{gold.uid}"


def test_the_page_respects_leaderboard_anonymity(client, session, gold):
    gold.advocate.leaderboard_opt_out = True
    session.commit()
    page = client.get(f"/badges/{gold.uid}").get_data(as_text=True)
    assert "Anonymous advocate" in page and "Grace Hopper" not in page


def test_unknown_badges_are_404(client):
    assert client.get("/badges/nope").status_code == 404
    assert client.get("/badges/assertions/nope").status_code == 404
    assert client.get("/badges/nope/badge.png").status_code == 404


def test_no_email_in_any_public_page_or_document(client, session, gold, now):
    status_service.set_status(session, advocate=gold.advocate, to=Status.SILVER, reason="Moved on",
                              actor_id=make_staff(session).id, now=now)
    session.commit()
    urls = ["/badges/class/gold", "/badges/revocations", f"/badges/assertions/{gold.uid}",
            f"/badges/{gold.uid}"]
    for url in urls:
        body = client.get(url).get_data(as_text=True)
        assert "grace@customer.example" not in body
        assert not [e for e in EMAIL.findall(body) if not e.endswith("vendor.example")], url


def test_an_erased_holder_s_badge_is_revoked_and_names_no_one(client, session, gold, now):
    from app.services.people import erasure

    erasure.erase_advocate(session, advocate=gold.advocate, now=now)
    session.commit()
    response = client.get(f"/badges/assertions/{gold.uid}")
    assert response.status_code == 410 and response.get_json()["revoked"] is True
    assert "recipient" not in response.get_json()
    listed = client.get("/badges/revocations").get_json()["revokedAssertions"]
    assert [r["id"] for r in listed] == [f"{BASE}/badges/assertions/{gold.uid}"]
    page = client.get(f"/badges/{gold.uid}").get_data(as_text=True)
    assert "This badge was revoked" in page and "Anonymous advocate" in page
    assert "Grace" not in page and "Hopper" not in page and not EMAIL.search(page)
