"""Due times on the shared grid: the same for every process, whenever it started."""

from datetime import datetime, timedelta

import pytest

from app.jobs import Job, registry, slots


def _job(**trigger) -> Job:
    return Job("sweep", lambda session, now: 0, {"trigger": "interval", **trigger})


@pytest.mark.parametrize(("now", "every", "expected"), [
    (datetime(2026, 6, 15, 12, 7, 30), timedelta(minutes=5), datetime(2026, 6, 15, 12, 5)),
    (datetime(2026, 6, 15, 12, 5), timedelta(minutes=5), datetime(2026, 6, 15, 12, 5)),  # on the dot
    (datetime(2026, 6, 15, 12, 4, 59, 999999), timedelta(minutes=5), datetime(2026, 6, 15, 12, 0)),
    (datetime(2026, 6, 15, 17, 59), timedelta(hours=6), datetime(2026, 6, 15, 12, 0)),
    (datetime(2026, 6, 15, 12, 0), timedelta(weeks=1), datetime(2026, 6, 11)),  # Thursdays, like the anchor
    (datetime(2025, 12, 31, 23, 59), timedelta(hours=1), datetime(2025, 12, 31, 23, 0)),  # before the anchor
    (datetime(2026, 6, 15, 12, 0, 7), timedelta(seconds=3), datetime(2026, 6, 15, 12, 0, 6)),
])
def test_the_latest_due_time_is_the_last_grid_time_at_or_before_now(now, every, expected):
    assert slots.latest(now, every) == expected
    assert expected <= now < expected + every


def test_processes_started_at_different_moments_agree_on_the_due_times():
    every = timedelta(minutes=15)
    one = slots.latest(datetime(2026, 6, 15, 12, 14, 59), every)
    other = slots.latest(datetime(2026, 6, 15, 12, 0, 1), every)
    assert one == other == datetime(2026, 6, 15, 12, 0)
    assert slots.latest(datetime(2026, 6, 15, 12, 15), every) == one + every


def test_intervals_come_from_the_trigger_or_the_override():
    assert slots.interval(_job(hours=6)) == timedelta(hours=6)
    assert slots.interval(_job(weeks=1, days=1)) == timedelta(days=8)
    assert slots.interval(_job(hours=6), every_seconds=3) == timedelta(seconds=3)
    with pytest.raises(ValueError, match="only interval"):
        slots.interval(Job("cron", lambda s, n: 0, {"trigger": "cron", "hour": 3}))
    with pytest.raises(ValueError, match="positive"):
        slots.interval(_job(minutes=0))


def test_every_job_fires_on_the_anchored_grid():
    from apscheduler.triggers.interval import IntervalTrigger

    for job in registry():
        keywords = slots.trigger(job)
        assert keywords["start_date"].replace(tzinfo=None) == slots.ANCHOR
        trigger = IntervalTrigger(**{k: v for k, v in keywords.items() if k != "trigger"}, timezone="UTC")
        fire = trigger.get_next_fire_time(None, slots.ANCHOR.replace(tzinfo=keywords["start_date"].tzinfo)
                                          + timedelta(days=100, seconds=1))
        assert slots.latest(fire.replace(tzinfo=None), slots.interval(job)) == fire.replace(tzinfo=None)
