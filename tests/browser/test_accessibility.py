"""Any body, any device: every role signs in on the demo program and every page of its navigation
(read from the rendered nav, plus the first page of each kind they link to; signed out, the sign-in
page and its links) is checked at 1280 and 375 px with axe-core (vendored, see vendor/README.md): no
serious or critical violation, a skip link first, and nothing wider than the screen at 375 px.
Keyboard: the skip link leads to the main content, Tab focus shows an outline of at least 3:1
contrast, and the approval queue's keys do not fire while typing."""

import re
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest

import seeds
from app.extensions import db
from app.models import OutboxMessage
from app.services import clock
from seeds.people import DEMO_PASSWORD
from tests.browser.test_core_journey import open_menu

pytestmark = pytest.mark.browser

AXE = (Path(__file__).parent / "vendor" / "axe.min.js").read_text(encoding="utf-8")
WIDTHS = (1280, 375)
ROLES = {
    "advocate": "maya.thompson@brightlane.test",
    "csm": "csm@rallypoint.test",
    "marketing": "marketing@rallypoint.test",
    "admin": "admin@rallypoint.test",
}

NAV_LINKS = """() => [...document.querySelectorAll('header .nav-links a[href]')]
  .map(a => a.href).filter(h => h.startsWith(location.origin))"""
PUBLIC_LINKS = """() => [...document.querySelectorAll('main a[href]')].map(a => a.href)
  .filter(h => h.startsWith(location.origin) && !h.includes('#'))"""
# The pages one level below the navigation that a page's main content links to: the first of each
# kind (a mission, an attempt, a message, a "new" form, ...), in the same area, without a query,
# downloads left out. `seen` holds the kinds already found (paths with their numbers as N).
LINKED_PAGES = """(seen) => {
  const area = location.pathname.split('/')[1];
  const found = [];
  for (const a of document.querySelectorAll('main a[href]')) {
    const u = new URL(a.href, location.href);
    const kind = u.pathname.replace(/\\d+/g, 'N').replace(/\\/$/, '');
    if (u.origin !== location.origin || u.search || u.pathname.split('/')[1] !== area) continue;
    if (a.hasAttribute('download') || /(export|\\.json|\\.csv)$/.test(kind) || seen.includes(kind)) continue;
    seen.push(kind);
    found.push(u.href);
  }
  return found;
}"""
KIND = re.compile(r"\d+")
# The page's first focusable element is a skip link to an element #main.
SKIP_LINK = """() => {
  const first = document.querySelector('a[href], button, input, select, textarea, summary');
  const main = document.getElementById('main');
  return !!first && first.matches('a.skip-link') && first.hash === '#main' && !!main;
}"""
# After the page's finite animations and transitions end (an opening menu fades in): axe's serious
# and critical violations.
RUN_AXE = """async (scope) => {
  const finite = document.getAnimations().filter(a => a.effect.getComputedTiming().iterations !== Infinity);
  await Promise.race([Promise.all(finite.map(a => a.finished.catch(() => null))),
                      new Promise(done => setTimeout(done, 2000))]);
  const result = await axe.run(scope || document, {resultTypes: ['violations']});
  return result.violations.filter(v => ['serious', 'critical'].includes(v.impact)).map(v => ({
    id: v.id, impact: v.impact, targets: v.nodes.slice(0, 5).map(n => n.target.join(' ')),
    count: v.nodes.length}));
}"""
OVERFLOW = """() => {
  const root = document.documentElement;
  if (root.scrollWidth <= root.clientWidth) return null;
  const name = e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')
    + (typeof e.className === 'string' && e.className ? '.' + e.className.trim().replace(/\\s+/g, '.') : '');
  const wide = [...document.querySelectorAll('body *')]
    .filter(e => e.getBoundingClientRect().right > root.clientWidth + 1)
    .filter(e => !e.parentElement || e.parentElement.getBoundingClientRect().right <= root.clientWidth + 1)
    .slice(0, 5).map(name);
  return {scrollWidth: root.scrollWidth, clientWidth: root.clientWidth, wide};
}"""
# The focused element's outline: style, width and its contrast with the background behind it.
FOCUS_RING = """() => {
  const el = document.activeElement;
  const parse = c => {
    const m = c.match(/[\\d.]+/g).map(Number);
    return {rgb: m.slice(0, 3), a: m.length > 3 ? m[3] : 1};
  };
  const lum = rgb => {
    const [r, g, b] = rgb.map(v => (v /= 255) <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  let back = el.parentElement;
  while (back && parse(getComputedStyle(back).backgroundColor).a === 0) back = back.parentElement;
  const bg = back ? parse(getComputedStyle(back).backgroundColor).rgb : [255, 255, 255];
  const style = getComputedStyle(el);
  const ring = parse(style.outlineColor);  // a translucent ring is seen mixed with what is behind it
  const seen = ring.rgb.map((c, i) => c * ring.a + bg[i] * (1 - ring.a));
  const [l1, l2] = [lum(seen), lum(bg)].sort((a, b) => b - a);
  return {tag: el.tagName.toLowerCase(), text: (el.innerText || el.value || el.name || '').slice(0, 30),
          style: style.outlineStyle, width: parseFloat(style.outlineWidth),
          contrast: (l1 + 0.05) / (l2 + 0.05)};
}"""


@pytest.fixture
def demo(live_server):
    """The live server with the demo program loaded (its missions, attempts, messages, rewards), and
    one failed email whose address, key and error are long unbroken strings (the outbox message page
    is where a narrow screen overflowed)."""
    app, base_url = live_server
    with app.app_context():
        assert seeds.load(db.session, advocates=24, now=clock.utcnow()) is not None
        address = "christopher.vanderberghe-hollingsworth@northwind-retail-holdings.test"
        long_message = OutboxMessage(
            dedupe_key=f"monthly-report:2026-05:{address}", kind="monthly_report", to_email=address,
            subject="Your monthly report", body_text="https://example.com/" + "r" * 150,
            body_html="<p>" + "h" * 200 + "</p>", created_at=clock.utcnow(), next_attempt_at=clock.utcnow(),
            attempts=3, last_error=f"SMTPRecipientsRefused({{'{address}': (550, b'5.1.1_{'x' * 80}')}})")
        db.session.add(long_message)
        db.session.commit()
        return base_url, f"/admin/outbox/{long_message.id}"


def sign_in(page, base_url: str, email: str) -> None:
    page.goto(f"{base_url}/login")
    page.locator("input[name=email]").fill(email)
    page.locator("input[name=password]").fill(DEMO_PASSWORD)
    with page.expect_navigation():
        page.locator("input[name=password]").press("Enter")
    assert "/login" not in page.url, f"{email} could not sign in"


def crawl(page, width: int, urls: list[str], follow: bool) -> list[str]:
    """Check each page at this width; with `follow`, add the pages one level below the navigation
    (the first of each kind its pages link to) to `urls`, so they are checked too."""
    problems, nav = [], list(urls)
    seen = [KIND.sub("N", urlsplit(u).path).rstrip("/") for u in urls]
    for url in urls:  # grows while it is walked when following
        problems += check(page, url, width)
        if follow and url in nav:
            found = page.evaluate(LINKED_PAGES, seen)
            seen = [*seen, *(KIND.sub("N", urlsplit(u).path).rstrip("/") for u in found)]
            urls += found
    return problems


def findings(page, where: str, width: int, scope: str | None = None) -> list[str]:
    """axe's serious and critical violations (in `scope`, or the whole page) and, on a narrow
    screen, anything wider than it."""
    problems = [f"{where} @{width}: {v['impact']} {v['id']} on {v['count']} node(s): {v['targets']}"
                for v in page.evaluate(RUN_AXE, scope)]
    if width < 500 and (wide := page.evaluate(OVERFLOW)):
        problems.append(f"{where} @{width}: overflows ({wide['scrollWidth']} > {wide['clientWidth']} px): "
                        f"{wide['wide']}")
    return problems


def check(page, url: str, width: int) -> list[str]:
    response = page.goto(url)
    path = urlsplit(url).path
    problems = [] if response and response.ok else [f"{path} @{width}: HTTP {response and response.status}"]
    if not page.evaluate(SKIP_LINK):
        problems.append(f"{path} @{width}: no skip link to the main content first in the page")
    page.evaluate(AXE)  # evaluated, not a <script> tag: the CSP (script-src 'self') refuses inline tags
    return problems + findings(page, path, width)


def open_menus(page, url: str, width: int) -> list[str]:
    """The phone's Menu unfolded, then the staff navigation's menus (<details>), each opened: axe on the
    header, and it fits."""
    page.goto(url)
    page.evaluate(AXE)
    problems = []
    if page.locator(".nav-toggle").is_visible():
        open_menu(page)
        problems += findings(page, "the unfolded menu", width, "header")
    menus = page.locator("header details.dropdown").all()
    assert menus or "/portal/" in url or "/admin/" not in url, "the staff navigation has no menus"
    for menu in menus:
        summary = menu.locator("summary")
        summary.click()
        assert menu.evaluate("details => details.open")
        problems += findings(page, f"the {summary.inner_text().strip()} menu", width, "header")
        page.keyboard.press("Escape")
    return problems


def test_every_page_of_every_role_passes_axe_and_fits_375px(browser, demo):
    base_url, long_message = demo
    started = time.monotonic()
    problems, visited = [], {}
    for role, email in {"public": None, **ROLES}.items():
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        page = context.new_page()
        if email is None:  # signed out: the sign-in page and the pages it links to
            page.goto(f"{base_url}/login")
            urls = [page.url, *page.evaluate(PUBLIC_LINKS)]
        else:
            sign_in(page, base_url, email)
            urls = list(dict.fromkeys(page.evaluate(NAV_LINKS)))  # the navigation as rendered for the role
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 900})
            problems += [f"{role} {p}" for p in crawl(page, width, urls, follow=width == WIDTHS[0])]
            problems += [f"{role} {p}" for p in open_menus(page, urls[0], width)]
        visited[role] = urls
        context.close()
    for role, urls in visited.items():
        print(role, " ".join(urlsplit(u).path for u in urls))
    print(f"\naxe crawl: {sum(map(len, visited.values())) * len(WIDTHS)} page checks "
          f"in {time.monotonic() - started:.1f}s")
    # the crawl really went somewhere: each role's navigation and some detail pages
    assert len(visited["public"]) >= 2
    assert len(visited["advocate"]) >= 12 and any("/portal/missions/" in u for u in visited["advocate"])
    assert len(visited["admin"]) > len(visited["marketing"]) > len(visited["csm"]) >= 6
    assert any(u.endswith(long_message) for u in visited["admin"])  # the newest message, listed first
    assert problems == [], "\n".join(problems)


def tab_through(page, steps: int) -> list[str]:
    """Press Tab up to `steps` times (until the page's end); each element reached must show an outline
    of at least 3:1 contrast with what is behind it."""
    problems = []
    for _ in range(steps):
        page.keyboard.press("Tab")
        ring = page.evaluate(FOCUS_RING)
        if ring["tag"] == "body":  # past the last control
            break
        if ring["style"] == "none" or ring["width"] < 2 or ring["contrast"] < 3:
            problems.append(f"{urlsplit(page.url).path}: {ring}")
    return problems


def skip_to_main(page, url: str) -> list[str]:
    """The first Tab lands on a visible skip link that moves the focus to the main content."""
    page.goto(url)
    page.keyboard.press("Tab")
    link = page.locator("a.skip-link")
    box = link.bounding_box()
    if page.evaluate("document.activeElement.className") != "skip-link" or not box or box["x"] < 0:
        return [f"{urlsplit(url).path}: the first Tab does not show a skip link"]
    page.keyboard.press("Enter")
    if page.evaluate("document.activeElement.id") != "main":
        return [f"{urlsplit(url).path}: the skip link does not move the focus to the main content"]
    return []


def test_keyboard_only_skip_link_and_a_visible_focus_ring(browser, demo):
    base_url, _ = demo
    problems = []
    for email, paths in ((None, ["/login"]), (ROLES["advocate"], ["/portal/", "/portal/missions"]),
                         (ROLES["marketing"], ["/admin/", "/admin/approvals"])):
        for width in WIDTHS:
            context = browser.new_context(viewport={"width": width, "height": 900})
            page = context.new_page()
            if email:
                sign_in(page, base_url, email)
            for path in paths:
                problems += skip_to_main(page, base_url + path)
                problems += tab_through(page, 12)
            if email:  # the header too: the brand, the navigation and its menus, Sign out
                page.goto(base_url + paths[0])
                problems += tab_through(page, 20)
            context.close()
    assert problems == [], "\n".join(problems)


def test_queue_keys_do_not_fire_while_typing_and_do_not_trap_the_focus(browser, demo):
    base_url, _ = demo
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    sign_in(page, base_url, ROLES["marketing"])
    page.goto(f"{base_url}/admin/approvals")
    waiting = page.locator("[data-count=waiting]").inner_text()
    assert int(waiting) > 0
    search = page.locator("#advocate")
    search.focus()
    page.keyboard.type("jaxr")  # next, approve, select, reject: all letters of a name here
    assert search.input_value() == "jaxr"
    assert page.evaluate("document.activeElement.id") == "advocate"
    page.keyboard.press("j")  # (after the search field) still typing, not moving
    assert search.input_value() == "jaxrj"
    search.fill("")

    page.keyboard.press("Escape")
    page.locator("main").focus()
    page.keyboard.press("j")  # the first row
    row = page.evaluate("document.activeElement.id")
    assert row.startswith("row-")
    page.keyboard.press("r")  # into its reason field
    reason = page.evaluate("document.activeElement.id")
    assert reason.endswith("-reason")
    page.keyboard.type("a wrong link")  # 'a' would approve, 'r' reject, 'j'/'k' move: none do here
    assert page.locator(f"#{reason}").input_value() == "a wrong link"
    assert page.locator(f"#{row} .qrow-status").inner_text() == ""
    page.keyboard.press("Escape")  # back to the row, the text kept
    assert page.evaluate("document.activeElement.id") == row
    page.keyboard.press("Tab")  # and Tab leaves the row for the next control: no trap
    assert page.evaluate("document.activeElement.id") != row
    assert page.locator("[data-count=waiting]").inner_text() == waiting  # nothing was decided
