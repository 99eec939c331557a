"""`embed_p95_ms`: the public embed (/embed/<token>) through the test client, HTML and JSON, with no
cache in the app (every request reads the embed row and the board); target <= 10 ms at 100,000
advocates. Anonymous requests, each in its own app context as under a server. The figure is the
slowest of: all time and this month, each as the page and as JSON, 25 rows (a typical embed)."""

import time

from flask import current_app
from sqlalchemy.orm import Session

from app.services.community import embeds
from tests.bench.measure import p95_ms

JSON = {"Accept": "application/json"}


def _embed_path(app, session: Session, *, period: str, now) -> str:
    embed = embeds.create_embed(session, spec=embeds.EmbedSpec(
        name=f"bench-{period}-{now.timestamp():.0f}", period=period, rows=25,
        origins=("https://community.example.com",)), created_by=None, now=now)
    session.commit()
    with app.app_context():
        return f"/embed/{embeds.token_for(embed, secret=current_app.config['SECRET_KEY'])}"


def embed_p95(app, path: str, *, as_json: bool, requests: int = 200) -> float:
    client = app.test_client()
    headers = JSON if as_json else {}
    samples = []
    for n in range(requests + 10):
        started = time.perf_counter()
        with app.app_context():
            response = client.get(path, headers=headers)
        elapsed = time.perf_counter() - started
        assert response.status_code == 200, (path, response.status_code)
        shown = len(response.json["rows"]) if as_json else response.data.count(b'<td class="rank">')
        assert shown == 25, (path, shown)
        if n >= 10:  # the first few warm the caches
            samples.append(elapsed)
    return p95_ms(samples)


def measure(app, session: Session, *, now) -> dict[str, str]:
    lines = {}
    for period in ("all_time", "month"):
        path = _embed_path(app, session, period=period, now=now)
        lines[f"embed_{period}_html_p95_ms"] = f"{embed_p95(app, path, as_json=False):.2f}"
        lines[f"embed_{period}_json_p95_ms"] = f"{embed_p95(app, path, as_json=True):.2f}"
    lines["embed_p95_ms"] = f"{max(float(value) for value in lines.values()):.2f}"
    return lines
