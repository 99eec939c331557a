"""Badges (issue 15, point 5): an assertion is issued inside each promotion's transaction and
revoked when staff lower the status below it; baked PNGs carry the assertion URL."""

from datetime import timedelta

from app.models import ActivityKind, BadgeAssertion, Status
from app.services import badges
from app.services.badges import baking
from app.services.points import status as status_service
from tests.factories import make_advocate, make_staff
from tests.services.points.test_status import award, complete


def promote_to_silver(session, advocate, now):
    award(session, advocate, 1000, now)
    complete(session, advocate, ActivityKind.REVIEW, now)
    assert advocate.status == Status.SILVER


def test_a_promotion_issues_one_assertion_in_its_transaction(session, now):
    advocate = make_advocate(session)
    promote_to_silver(session, advocate, now)
    [issued] = badges.for_advocate(session, advocate_id=advocate.id)
    assert (issued.status, issued.issued_at, issued.revoked) == (Status.SILVER, now, False)
    assert len(issued.uid) >= 20 and issued.uid.replace("-", "").replace("_", "").isalnum()
    session.rollback()  # the badge goes with the promotion that made it
    assert session.query(BadgeAssertion).count() == 0


def test_no_assertion_without_a_promotion(session, now):
    advocate = make_advocate(session)
    award(session, advocate, 5000, now)  # points but no qualifying activity
    assert badges.for_advocate(session, advocate_id=advocate.id) == []


def test_raising_a_status_by_hand_issues_too(session, now):
    advocate = make_advocate(session)
    status_service.set_status(session, advocate=advocate, to=Status.GOLD, reason="Strategic account",
                              actor_id=make_staff(session).id, now=now)
    assert [b.status for b in badges.for_advocate(session, advocate_id=advocate.id)] == [Status.GOLD]


def test_lowering_a_status_revokes_the_badges_above_it_only(session, now):
    advocate = make_advocate(session)
    staff = make_staff(session)
    promote_to_silver(session, advocate, now)
    later = now + timedelta(days=3)
    status_service.set_status(session, advocate=advocate, to=Status.GOLD, reason="Upgrade", actor_id=staff.id,
                              now=later)
    status_service.set_status(session, advocate=advocate, to=Status.SILVER, reason="Left the company",
                              actor_id=staff.id, now=later)
    held = {b.status: b for b in badges.for_advocate(session, advocate_id=advocate.id)}
    assert held[Status.GOLD].revoked and held[Status.GOLD].revocation_reason == "Left the company"
    assert held[Status.GOLD].revoked_at == later
    assert not held[Status.SILVER].revoked
    assert badges.revoked(session) == [held[Status.GOLD]]


def test_the_recipient_is_a_salted_hash_of_the_email():
    assert badges.hashed_email(" Ann@Example.com ", "abc") == badges.hashed_email("ann@example.com", "abc")
    assert badges.hashed_email("ann@example.com", "abc") != badges.hashed_email("ann@example.com", "abd")
    assert badges.hashed_email("ann@example.com", "abc").startswith("sha256$")


def test_a_baked_png_holds_the_assertion_url_in_an_openbadges_itxt_chunk():
    png = baking.bake(baking.base_image(Status.GOLD), "https://x.example/badges/assertions/u1")
    kinds = [kind for kind, _ in baking.chunks(png)]  # every CRC is checked
    assert kinds[0] == b"IHDR" and kinds[-1] == b"IEND" and b"iTXt" in kinds
    itxt = dict(baking.chunks(png))[b"iTXt"]
    assert itxt == b"openbadges\x00\x00\x00\x00\x00https://x.example/badges/assertions/u1"
    assert baking.baked_url(png) == "https://x.example/badges/assertions/u1"
    assert baking.baked_url(baking.base_image(Status.GOLD)) is None
