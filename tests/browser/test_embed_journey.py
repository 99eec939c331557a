"""Embeds in a real browser: a page on an allowed origin frames the leaderboard and reads its JSON;
a page on another origin is refused both.

The outside sites are served through Playwright routes. For the allowed site the embed's own https
host is routed too (its requests fetched from the live server, headers intact), since an allowed
origin must be https and an https page may not frame plain http. Playwright adds its own
Access-Control-Allow-Origin to routed answers, so the refused site is a real second server on
another loopback port (another origin, and loopback to loopback, so Chromium's private-network
rules do not block it first) talking to the live server directly: Chromium then applies the
embed's real frame-ancestors and CORS headers."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from flask import current_app

from app.extensions import db
from app.services import clock
from app.services.community import embeds
from tests.factories import fund, make_advocate

pytestmark = pytest.mark.browser

ALLOWED = "https://community.example.com"
EMBED_HOST = "https://rallypoint.example.org"


@pytest.fixture
def embed_path(live_server, now):
    app, _ = live_server
    with app.app_context():
        fund(db.session, make_advocate(db.session, name="Jane Doe", company="Acme"), 300)
        fund(db.session, make_advocate(db.session, name="Hidden Person", leaderboard_opt_out=True), 200)
        embed = embeds.create_embed(db.session, spec=embeds.EmbedSpec(
            name="Community", period="all_time", origins=(ALLOWED,)), created_by=None, now=clock.utcnow())
        db.session.commit()
        return f"/embed/{embeds.token_for(embed, secret=current_app.config['SECRET_KEY'])}"


def _site(url: str, shown: str = "d.rows[0].name") -> str:
    """Another site framing `url` and fetching its JSON; `shown` (JS over the JSON `d`) goes in #json."""
    return f"""<!doctype html><html><body><h1>Community</h1>
<iframe id="board" src="{url}" width="600" height="400"></iframe>
<p id="json">pending</p>
<script>
fetch("{url}", {{headers: {{Accept: "application/json"}}}})
  .then(r => r.json()).then(d => {{ document.getElementById("json").textContent = {shown}; }})
  .catch(() => {{ document.getElementById("json").textContent = "blocked"; }});
</script></body></html>"""


def _page(browser, live_server, embed_path):
    _, base_url = live_server
    context = browser.new_context()
    context.route(f"{ALLOWED}/**", lambda route: route.fulfill(content_type="text/html",
                                                               body=_site(EMBED_HOST + embed_path)))
    context.route(f"{EMBED_HOST}/**", lambda route: route.fulfill(
        response=route.fetch(url=route.request.url.replace(EMBED_HOST, base_url))))
    return context.new_page()


@pytest.fixture
def other_site(live_server, embed_path):
    """A page on another origin (its own port) that frames and fetches the embed; yields its URL."""
    body = _site(live_server[1] + embed_path).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (the http.server API)
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/page"
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


def _framed_text(page) -> str:
    frame = page.frame_locator("#board")
    try:
        return frame.locator("body").inner_text(timeout=3000)
    except Exception:  # noqa: BLE001 (a refused frame has no document to read)
        return ""


def test_an_allowed_site_frames_the_board_and_reads_its_json(browser, live_server, embed_path):
    page = _page(browser, live_server, embed_path)
    page.goto(f"{ALLOWED}/page")
    page.wait_for_function("document.getElementById('json').textContent !== 'pending'")
    assert page.locator("#json").inner_text() == "Jane Doe"
    text = _framed_text(page)
    assert "Jane Doe" in text and "Anonymous advocate" in text and "Hidden Person" not in text


def test_another_site_is_refused_the_frame_and_the_json(browser, other_site):
    page = browser.new_context().new_page()
    page.goto(other_site)
    page.wait_for_function("document.getElementById('json').textContent !== 'pending'")
    assert page.locator("#json").inner_text() == "blocked"
    assert "Jane Doe" not in _framed_text(page)
