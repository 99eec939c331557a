"""Drive the campaign day: ramp the virtual users up, hold, fire the day's accidents, stop.

One process, one asyncio loop, one aiohttp client (it shares the two cores with the server, so it
stays lean). Each user starts at its place in the ramp; during the hold one gunicorn worker is
SIGKILLed (at 30 % of the hold) and the scheduler restarted (SIGTERM, then a new one, at 60 %).
"""

import asyncio
import itertools
import time
from collections.abc import Callable
from dataclasses import dataclass

import aiohttp

from tests.bench.load import users
from tests.bench.load.browser import Browser, Recorder
from tests.bench.load.data import Plan


@dataclass
class Shape:
    users: int
    ramp_s: float
    hold_s: float
    think_s: float


@dataclass
class Window:
    start: float
    end: float


def client_session(concurrency: int) -> aiohttp.ClientSession:
    # gunicorn's sync workers close every connection after the response, so nothing is pooled.
    connector = aiohttp.TCPConnector(limit=concurrency + 10, force_close=True)
    session = aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=60),
                                    cookie_jar=aiohttp.DummyCookieJar())
    # aiohttp silently resends a GET once when the server drops the connection: that would hide the
    # killed worker's request (and any other dropped one). Off, as aiohttp's own test client does.
    if not hasattr(session, "_retry_connection"):
        raise RuntimeError("aiohttp changed: find how to turn off its retry of dropped GETs")
    session._retry_connection = False
    return session


def role_of(index: int) -> Callable:
    """About 1 user in 40 is staff approving, 1 in 20 a referral visitor, the rest advocates."""
    if index % 40 == 1:
        return users.staff
    if index % 20 == 10:
        return users.referral_visitor
    return users.advocate


async def campaign_day(base: str, plan: Plan, shape: Shape, accidents: dict[str, Callable],
                       tag: str) -> tuple[Recorder, Window]:
    recorder = Recorder()
    async with client_session(shape.users) as http:
        day = users.Day(http, base, recorder, itertools.cycle(plan.advocates), itertools.cycle(plan.staff),
                        plan.codes, shape.think_s, tag)
        started = time.monotonic()
        window = Window(started + shape.ramp_s, started + shape.ramp_s + shape.hold_s)
        tasks = [asyncio.create_task(_user(day, index, shape.ramp_s * index / shape.users))
                 for index in range(shape.users)]
        await _accidents(window, accidents, recorder)
        await asyncio.sleep(max(0.0, window.end - time.monotonic()))
        day.running = False
        _done, pending = await asyncio.wait(tasks, timeout=90)
        for task in pending:
            task.cancel()
        for task in tasks:
            if task.done() and not task.cancelled() and task.exception():
                raise task.exception()
    return recorder, window


async def _user(day: users.Day, index: int, delay: float) -> None:
    await asyncio.sleep(delay)
    await role_of(index)(day, index + 1)


async def _accidents(window: Window, accidents: dict[str, Callable], recorder: Recorder) -> None:
    hold = window.end - window.start
    await asyncio.sleep(max(0.0, window.start + 0.3 * hold - time.monotonic()))
    recorder.kills.append(time.monotonic())
    accidents["kill_worker"]()
    await asyncio.sleep(max(0.0, window.start + 0.6 * hold - time.monotonic()))
    await asyncio.get_running_loop().run_in_executor(None, accidents["restart_scheduler"])


async def full_speed(base: str, seconds: float, concurrency: int = 32) -> float:
    """Requests per second of GET / with `concurrency` users and no pause (the bare Flask app)."""
    recorder = Recorder()
    async with client_session(concurrency) as http:
        deadline = time.monotonic() + seconds
        started = time.monotonic()

        async def hammer(client: int) -> None:
            browser = Browser(http, base, recorder, f"10.9.0.{client}")
            while time.monotonic() < deadline:
                await browser.get("bare", "/")

        await asyncio.gather(*(hammer(n) for n in range(concurrency)))
        elapsed = time.monotonic() - started
    return sum(1 for s in recorder.samples if s.status == 200) / elapsed
