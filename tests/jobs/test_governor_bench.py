"""The governor benchmark itself works at a tiny scale: its history blocks some advocates, and the
batched and the one-at-a-time decisions agree (the bench asserts it)."""

import random

from app.services.people import passwords
from tests.bench import governor
from tests.bench.generate import Generator, Sizes


def test_governor_benchmark_decides_every_advocate_at_small_scale(session, now):
    sizes = Sizes(advocates=600, entries=3000, attempts=1200)
    Generator(session, sizes, now, "UTC", passwords.hash_password("bench-password-123")).run()
    figures = governor.measure(session, advocates=600, now=now, rng=random.Random(3))
    assert figures["governor_checked"] == "600" and int(figures["governor_asks"]) > 600
    assert 0 < float(figures["governor_blocked_share"]) < 1
    assert float(figures["governor_checks_per_s"]) > 0 and float(figures["governor_single_checks_per_s"]) > 0


def test_generated_statuses_follow_the_rules_so_no_promotion_is_pending(session, now):
    from app.services.points import status

    sizes = Sizes(advocates=400, entries=8000, attempts=2000)
    totals = Generator(session, sizes, now, "UTC", passwords.hash_password("bench-password-123")).run()
    assert len(totals.statuses) >= 3, totals.statuses
    assert status.promote_due(session, now=now) == 0


def test_generated_advocates_have_no_old_points_to_celebrate(session, now):
    from sqlalchemy import select

    from app.models import Advocate
    from app.services.points import celebrations

    Generator(session, Sizes(advocates=200, entries=4000, attempts=400), now, "UTC",
              passwords.hash_password("bench-password-123")).run()
    advocates = session.scalars(select(Advocate).where(Advocate.lifetime_points > 0)).all()
    assert len(advocates) > 100
    assert [a.id for a in advocates if celebrations.pending(session, advocate=a) is not None] == []


def test_redeem_benchmark_commits_every_redemption_at_small_scale(session, now):
    from tests.bench import rewards as rewards_bench

    Generator(session, Sizes(advocates=300, entries=9000, attempts=600), now, "UTC",
              passwords.hash_password("bench-password-123")).run()
    figures = rewards_bench.measure(session, now=now, rng=random.Random(5), seconds=0.3)
    assert float(figures["redeem_per_s"]) > 0
