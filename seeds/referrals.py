"""Demo referrals: clicks and friends in every state, and one rejection for each fraud rule, made
through the services at past moments so the awards are real ledger entries."""

import random
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from app.models import Advocate, ReferralState, StaffUser
from app.services import referrals
from app.services.referrals import pipeline as referral_pipeline

R = ReferralState
# (friend name, company, email domain or None for the referrer's own domain, then the moves:
# (days after sign-up, state[, deal amount]))
PLANS = (
    (("Sam Whitfield", "Northbeam Labs", "northbeam.test", ((6, R.QUALIFIED), (21, R.CONVERTED, 24_000))),
     ("Lina Park", "Orchid Health", "orchidhealth.test", ((4, R.QUALIFIED),)),
     ("Tom Reilly", "Granite Works", "graniteworks.test", ()),
     ("Ava Brooks", "Lattice Retail", "latticeretail.test", ((3, R.QUALIFIED), (15, R.LOST))),
     ("self", "", None, ()),
     ("Chris Nolan", "", None, ())),
    (("Priya Raman", "Ledgerline", "ledgerline.test", ((5, R.QUALIFIED), (30, R.CONVERTED, 48_000))),
     ("Ben Ortiz", "Cloudmint", "cloudmint.test", ()),
     ("Sam Whitfield", "Northbeam Labs", "northbeam.test", ())),
    (("Jonas Weber", "Fernhill Clinics", "fernhill.test", ((7, R.QUALIFIED),)),
     ("Maria Lopez", "Vela Systems", "gmail.com", ()),
     ("Ruth Adler", "Copperfield", "copperfield.test", ((2, R.LOST),))),
    (("Kenji Mori", "Tessellate", "tessellate.test", ()), ("Olga Petrova", "Birchline", "birchline.test", ()),
     ("Femi Adebayo", "Kestrel Pay", "kestrelpay.test", ()), ("Hana Kim", "Mapleway", "mapleway.test", ()),
     ("Luis Ramos", "Solent Data", "solentdata.test", ()), ("Eva Novak", "Quill & Co", "quill.test", ())),
    (("Grace Liu", "Harbourline", "harbourline.test", ((4, R.QUALIFIED), (18, R.CONVERTED, 12_500))),
     ("Owen Hart", "Driftwood", "driftwood.test", ((9, R.LOST),))),
)
BURST_PLAN = 3  # this referrer's friends all sign up within one hour: the sixth is a burst


def load_referrals(session: Session, rng: random.Random, referrers: list[Advocate], marketing: StaffUser,
                   now: datetime) -> int:
    """Clicks and referrals for the first few referrers; returns how many referrals were made."""
    made = 0
    for index, (referrer, plan) in enumerate(zip(referrers, PLANS, strict=False)):
        created = now - timedelta(days=60)
        code = referrals.get_or_create_code(session, advocate_id=referrer.id, now=created).code
        for n in range(rng.randint(3 * len(plan), 6 * len(plan))):
            at = now - timedelta(days=rng.uniform(1, 58))
            referrals.record_click(session, code=code, client_hash=f"demo-visitor-{index}-{n}", now=at)
        start = now - timedelta(days=rng.uniform(35, 50))
        for n, (name, company, domain, moves) in enumerate(plan):
            at = start + (timedelta(minutes=8 * n) if index == BURST_PLAN else timedelta(days=2 * n))
            friend = _friend(referrer, name, company, domain)
            referral = referrals.submit_referral(
                session, code=code, friend=friend, client_hash=f"demo-{index}-{n}", now=at, client_limit=1000,
                client_window_minutes=60)
            for days, state, *amount in moves:
                referral_pipeline.move_referral(
                    session, referral_id=referral.id, to=state, staff=marketing,
                    now=at + timedelta(days=days), deal_amount=amount[0] if amount else None,
                    note=_note(state))
            made += 1
    return made


def _friend(referrer: Advocate, name: str, company: str, domain: str | None) -> referrals.Friend:
    if name == "self":
        return referrals.Friend(referrer.name, referrer.email, referrer.company)
    local = name.lower().replace(" ", ".")
    email = f"{local}@{domain or referrer.email.split('@')[1]}"
    return referrals.Friend(name, email, company or referrer.company)


def _note(state: ReferralState) -> str:
    return {R.QUALIFIED: "Discovery call held; real need and budget.", R.CONVERTED: "Signed the annual plan.",
            R.LOST: "Went quiet after the demo."}[state]
