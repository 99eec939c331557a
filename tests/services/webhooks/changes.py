"""Helpers that make the changes behind the newer webhook event types (used by several tests)."""

from app.models import AdvocateState, EventSource, ReferralState, RewardKind, Status
from app.services import asks, customers, people, referrals, rewards
from app.services.referrals import pipeline
from tests.factories import fund, make_advocate, make_mission, make_staff


def invite(session, now, email="new.person@example.com", **profile):
    values = {"name": "New Person", "email": email, "company": "Acme", **profile}
    return people.invite_advocate(session, profile=people.AdvocateProfile(**values), invited_by=None, now=now,
                                  valid_days=14)


def pause(session, advocate, now):
    return people.change_advocate(session, advocate=advocate, changes=people.Changes(
        state=AdvocateState.PAUSED, reason="On leave"), actor=make_staff(session), source=EventSource.STAFF,
        now=now)


def import_rows(session, now, rows):
    return customers.import_rows(session, rows=rows, now=now)


def referral(session, now, email="friend@otherco.com"):
    referrer = make_advocate(session)
    code = referrals.get_or_create_code(session, advocate_id=referrer.id, now=now).code
    friend = referrals.Friend("Fran Friend", email, "Other Co")
    return referrals.submit_referral(session, code=code, friend=friend, client_hash="client-1", now=now,
                                     client_limit=100, client_window_minutes=60)


def move(session, now, made, to: ReferralState, deal_amount=None):
    return pipeline.move_referral(session, referral_id=made.id, to=to, staff=make_staff(session), now=now,
                                  deal_amount=deal_amount)


def reward(session, now, **overrides):
    values = dict(name="Rallypoint hoodie", description="Soft and warm.", kind=RewardKind.SWAG,
                  points_cost=300, stock=5, min_status=Status.BRONZE, requires_approval=True,
                  unit_cost_cents=2500, active=True)
    return rewards.save_reward(session, values=rewards.RewardValues(**{**values, **overrides}), now=now)


def redeem(session, now, key="k1", **overrides):
    advocate = fund(session, make_advocate(session), 1000)
    return rewards.redeem(session, advocate=advocate, reward_id=reward(session, now, **overrides).id,
                          request_key=key, now=now)


def ask(session, now):
    mission, advocate = make_mission(session), make_advocate(session)
    return asks.ask_one(session, advocate_id=advocate.id, mission_id=mission.id, priority=1, source="trigger",
                        now=now)
