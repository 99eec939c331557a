"""Follow the links of a signed-in test client through one area of the site (for page-wide checks)."""

import re
from html import unescape
from urllib.parse import urlsplit

SKIP = ("logout", "sign-out", "export", "download", ".csv", ".json", "/static/", "/files/")


def crawl(client, start: str, prefix: str, limit: int = 120) -> dict[str, str]:
    """The HTML of every page reachable from `start` by links under `prefix`: {path: html}."""
    seen, queue, pages = set(), [start], {}
    while queue and len(pages) < limit:
        url = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        response = client.get(url)
        if response.status_code != 200 or "text/html" not in response.content_type:
            continue
        html = response.get_data(as_text=True)
        pages[url] = html
        for href in re.findall(r'href="([^"#]+)"', html):
            path = urlsplit(unescape(href)).path
            if path.startswith(prefix) and not any(s in path for s in SKIP) and path not in seen:
                queue.append(path)
    return pages
