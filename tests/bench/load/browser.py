"""One virtual user's browser over aiohttp: its own cookies, its own client address, timed requests.

Cookies are kept by hand rather than by aiohttp's jar, because production's cookies are Secure
(`__Host-session`) and the client speaks plain http to gunicorn as the TLS proxy would; the
proxy's headers (X-Forwarded-Proto/For) tell the app the truth about the original request.
"""

import html
import re
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import aiohttp

FORM = re.compile(r"<form\b([^>]*)>(.*?)</form>", re.S)
ACTION = re.compile(r'action="([^"]*)"')
INPUT = re.compile(r"<(?:input|textarea)\b[^>]*>")
NAME = re.compile(r'name="([^"]*)"')
VALUE = re.compile(r'value="([^"]*)"')
SKIP_TYPES = ('type="submit"', 'type="file"', 'type="checkbox"', 'type="button"')


@dataclass
class Form:
    action: str
    fields: dict[str, str]
    body: str


@dataclass
class Sample:
    kind: str
    started: float  # time.monotonic()
    ended: float
    status: int  # 0: no HTTP answer (connection refused or dropped, timeout)
    error: str = ""


@dataclass
class Recorder:
    samples: list[Sample] = field(default_factory=list)
    submitted_attempts: set[int] = field(default_factory=set)
    submitted_referrals: set[str] = field(default_factory=set)
    kills: list[float] = field(default_factory=list)


@dataclass
class Page:
    status: int
    text: str = ""
    location: str = ""  # a redirect's target, as a path with its query

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 400


def forms(page_html: str) -> list[Form]:
    """The page's forms: action and the fields a browser would send unchanged (hidden ones, text
    inputs and textareas as rendered)."""
    found = []
    for attrs, body in FORM.findall(page_html):
        action = ACTION.search(attrs)
        fields = {}
        for tag in INPUT.findall(body):
            name = NAME.search(tag)
            if name is None or any(skip in tag for skip in SKIP_TYPES):
                continue
            value = VALUE.search(tag)
            fields[html.unescape(name.group(1))] = html.unescape(value.group(1)) if value else ""
        found.append(Form(html.unescape(action.group(1)) if action else "", fields, body))
    return found


def form_to(page_html: str, suffix: str) -> Form | None:
    return next((f for f in forms(page_html) if f.action.endswith(suffix)), None)


def form_with(page_html: str, field_name: str) -> Form | None:
    """The first form that has a field called `field_name` (a form posting back to its own page)."""
    return next((f for f in forms(page_html) if f'name="{field_name}"' in f.body), None)


class Browser:
    def __init__(self, http: aiohttp.ClientSession, base: str, recorder: Recorder, client_ip: str):
        self.http, self.base, self.recorder = http, base, recorder
        self.headers = {"X-Forwarded-Proto": "https", "X-Forwarded-For": client_ip,
                        "User-Agent": "rallypoint-bench-load"}
        self.cookies: dict[str, str] = {}
        self.page = "/"  # the last page shown: the Referer of the next post (Flask-WTF checks it on https)

    async def get(self, kind: str, path: str) -> Page:
        return await self.request(kind, "GET", path)

    async def post(self, kind: str, path: str, data) -> Page:
        return await self.request(kind, "POST", path, data)

    async def request(self, kind: str, method: str, path: str, data=None) -> Page:
        headers = dict(self.headers)
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if method == "POST":
            headers["Referer"] = f"https://{urlsplit(self.base).netloc}{self.page}"
        else:
            self.page = path
        started = time.monotonic()
        try:
            async with self.http.request(method, self.base + path, data=data, headers=headers,
                                         allow_redirects=False) as response:
                text = await response.text()
                self._keep_cookies(response)
                page = Page(response.status, text, _path_of(response.headers.get("Location", "")))
        except (aiohttp.ClientError, TimeoutError, OSError) as error:
            self.recorder.samples.append(Sample(kind, started, time.monotonic(), 0, type(error).__name__))
            return Page(0)
        error = "" if page.ok else f"HTTP {page.status} {method} {path}"
        self.recorder.samples.append(Sample(kind, started, time.monotonic(), page.status, error))
        return page

    def _keep_cookies(self, response: aiohttp.ClientResponse) -> None:
        for name, morsel in response.cookies.items():
            if morsel["max-age"] == "0" or "1970" in morsel["expires"]:
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = morsel.value


def _path_of(location: str) -> str:
    if not location:
        return ""
    parts = urlsplit(location)
    return parts.path + (f"?{parts.query}" if parts.query else "")
