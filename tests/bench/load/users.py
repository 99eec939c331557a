"""What the virtual users do on the campaign day, page by page, with a pause between pages.

- An advocate signs in (the form for its CSRF token, then the POST), then loops dashboard →
  missions → a mission → start it → its attempt page → submit the evidence the form asks for →
  leaderboard all time → this month. When no mission is left to start, they sign out and the next
  advocate of the plan signs in at that desk.
- A staff member signs in and approves submissions from the queue (/admin/approvals).
- A referral visitor opens a landing page (/r/<code>) and submits a friend; every visit comes
  from a new client address (the referral limit counts per address, as for real visitors).
A submission counts as made only when the app answered with its redirect (the script saw it succeed).
"""

import asyncio
import itertools
import random
import re
from dataclasses import dataclass, field

import aiohttp

from tests.bench.load.browser import Browser, Page, form_to, form_with, forms
from tests.bench.load.data import PASSWORD

AVAILABLE = re.compile(r"Ready to start.*?(?=<section|</main|$)", re.S)
MISSION_LINK = re.compile(r'href="/portal/missions/(\d+)"')
ATTEMPT_PATH = re.compile(r"^/portal/attempts/(\d+)$")
APPROVE_ACTION = re.compile(r"/admin/approvals/\d+/approve$")


@dataclass
class Day:
    """What every virtual user shares: the HTTP client, the plan, the clock, the stop flag."""

    http: aiohttp.ClientSession
    base: str
    recorder: object
    advocates: itertools.cycle
    staff: itertools.cycle
    codes: list[str]
    think: float
    tag: str  # makes referral emails unique per run
    running: bool = True
    counter: itertools.count = field(default_factory=lambda: itertools.count(1))

    def browser(self, client: int) -> Browser:
        return Browser(self.http, self.base, self.recorder, f"10.{client >> 16 & 255}.{client >> 8 & 255}."
                                                            f"{client & 255}")

    async def pause(self) -> None:
        await asyncio.sleep(self.think)


async def sign_in(day: Day, browser: Browser, email: str) -> bool:
    form_page = await browser.get("login_form", "/login")
    form = form_with(form_page.text, "password") if form_page.ok else None
    if form is None:
        await day.pause()
        return False
    await day.pause()
    answer = await browser.post("login", "/login", form.fields | {"email": email, "password": PASSWORD})
    await day.pause()
    return answer.status == 302 and "/login" not in answer.location


async def advocate(day: Day, client: int) -> None:
    while day.running:
        browser = day.browser(client)
        if not await sign_in(day, browser, next(day.advocates)):
            continue
        while day.running and await advocate_loop(day, browser):
            pass
        logout = form_to((await browser.get("dashboard", "/portal/")).text, "/logout")
        if logout is not None:
            await browser.post("logout", "/logout", logout.fields)
        await day.pause()


async def advocate_loop(day: Day, browser: Browser) -> bool:
    """One round of the campaign day's pages; False when the advocate should sign out."""
    dashboard = await browser.get("dashboard", "/portal/")
    if dashboard.status != 200:
        return False
    await day.pause()
    missions = await browser.get("missions", "/portal/missions")
    await day.pause()
    section = AVAILABLE.search(missions.text)
    ids = MISSION_LINK.findall(section.group(0)) if section else []
    if ids:
        await start_and_submit(day, browser, random.choice(ids))
    for period in ("all", "month"):
        await browser.get(f"leaderboard_{period}", f"/portal/leaderboard?period={period}")
        await day.pause()
    return bool(ids)


async def start_and_submit(day: Day, browser: Browser, mission_id: str) -> None:
    mission = await browser.get("mission", f"/portal/missions/{mission_id}")
    start = form_to(mission.text, "/start")
    await day.pause()
    if start is None:
        return
    started = await browser.post("start", start.action, start.fields)
    found = ATTEMPT_PATH.match(started.location)
    if found is None:
        return
    attempt = await browser.get("attempt", started.location)
    await day.pause()
    submit = form_to(attempt.text, "/submit")
    if submit is None:
        return
    answer = await browser.post("submit", submit.action, evidence(submit.fields, submit.body))
    if answer.status == 302 and answer.location == started.location:
        day.recorder.submitted_attempts.add(int(found.group(1)))
        await browser.get("attempt", answer.location)
    await day.pause()


def evidence(fields: dict[str, str], body: str):
    """The submit form's fields with the evidence it asks for: a link, a text, or a small file."""
    if 'name="link"' in body:
        return fields | {"link": f"https://reviews.example.com/rallypoint/{random.randrange(10**9)}"}
    if 'name="text"' in body:
        return fields | {"text": "I told our whole team about it at the campaign kickoff."}
    if 'name="file"' in body:
        data = aiohttp.FormData(fields)
        data.add_field("file", b"Campaign day evidence.\n", filename="evidence.txt",
                       content_type="text/plain")
        return data
    return fields


async def staff(day: Day, client: int) -> None:
    browser = day.browser(client)
    while not await sign_in(day, browser, next(day.staff)):
        if not day.running:
            return
    queue = await browser.get("approvals", "/admin/approvals")
    while day.running:
        await day.pause()
        choices = list(_forms_to_approve(queue))[:10]
        if not choices:
            queue = await browser.get("approvals", "/admin/approvals")
            continue
        form = random.choice(choices)
        answer = await browser.post("approve", form.action, form.fields)
        queue = await browser.get("approvals", answer.location or "/admin/approvals")


def _forms_to_approve(queue: Page):
    return (f for f in forms(queue.text) if APPROVE_ACTION.search(f.action))


async def referral_visitor(day: Day, client: int) -> None:
    while day.running:
        browser = day.browser(1_000_000 + next(day.counter))
        code = random.choice(day.codes)
        landing = await browser.get("referral_landing", f"/r/{code}")
        await day.pause()
        form = form_with(landing.text, "email") if landing.ok else None
        if form is None:
            continue
        email = f"friend-{day.tag}-{client}-{next(day.counter)}@prospect-{client}.example.com"
        answer = await browser.post("referral_submit", form.action or f"/r/{code}", form.fields | {
            "name": f"Friend {client}", "email": email, "company": "Prospect Ltd"})
        if answer.status == 302 and answer.location.endswith("/thanks"):
            day.recorder.submitted_referrals.add(email)
            await browser.get("referral_thanks", answer.location)
        await day.pause()
