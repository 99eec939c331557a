"""deploy/nginx-rallypoint.conf in Debian's nginx, in front of gunicorn run as deploy/ runs it (the
production config, PROXY_COUNT=1): the file loads (`nginx -t`), plain HTTP is sent to HTTPS, and over
TLS a person signs in with production's Secure cookies, HSTS and CSRF checks while the app sees the
client's own address, whatever X-Forwarded-For the client sent.

Only what cannot run here is changed in a copy of the file: the ports, the certificate (self-signed),
the upstream's port and the ACME folder. Needs Debian's `nginx` and `openssl` (CI installs them)."""

import http.client
import os
import re
import signal
import ssl
import subprocess
from pathlib import Path
from urllib.parse import urlencode

import pytest
from sqlalchemy import create_engine, select

from app import create_app
from app.extensions import db
from app.models import LoginSession
from tests.bench.load import servers
from tests.conftest import make_config, migrate_database, system_binary
from tests.factories import PASSWORD, make_advocate

CONF = Path(__file__).resolve().parents[1] / "deploy" / "nginx-rallypoint.conf"
HOST = "advocates.example.com"
FORGED = "203.0.113.9"


def site_config(folder: Path, *, http_port: int, https_port: int, upstream: int) -> str:
    """The deploy file with only the machine-specific values replaced, each exactly where it stands."""
    text = CONF.read_text()
    for old, new in (("listen 80;", f"listen 127.0.0.1:{http_port};"), ("listen [::]:80;", ""),
                     ("listen 443 ssl http2;", f"listen 127.0.0.1:{https_port} ssl http2;"),
                     ("listen [::]:443 ssl http2;", ""),
                     (f"/etc/letsencrypt/live/{HOST}/fullchain.pem", str(folder / "cert.pem")),
                     (f"/etc/letsencrypt/live/{HOST}/privkey.pem", str(folder / "key.pem")),
                     ("proxy_pass http://127.0.0.1:8000;", f"proxy_pass http://127.0.0.1:{upstream};"),
                     ("root /var/www/html;", f"root {folder / 'www'};")):
        assert text.count(old) == 1, f"{old!r} is no longer in {CONF.name} once: update this test"
        text = text.replace(old, new)
    return text


def main_config(folder: Path) -> str:
    user = "user root root;\n" if os.geteuid() == 0 else ""  # workers may then use the temp folders
    temps = "".join(f"{kind}_temp_path {folder / kind};\n"
                    for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    return (f"{user}worker_processes 1;\npid {folder / 'nginx.pid'};\nerror_log {folder / 'error.log'};\n"
            f"events {{}}\nhttp {{\ninclude /etc/nginx/mime.types;\naccess_log off;\n{temps}"
            f"include {folder / 'site.conf'};\n}}\n")


@pytest.fixture(scope="module")
def proxy(tmp_path_factory):
    nginx, openssl = system_binary("nginx", "nginx"), system_binary("openssl", "openssl")
    folder = tmp_path_factory.mktemp("proxy")
    (folder / "www").mkdir()
    subprocess.run([openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", f"/CN={HOST}",
                    "-keyout", str(folder / "key.pem"), "-out", str(folder / "cert.pem")],
                   check=True, capture_output=True, timeout=60)
    url = f"sqlite:///{folder / 'rallypoint.db'}"
    migrate_database(url, str(folder / "uploads"))
    app = create_app(make_config(url, str(folder / "uploads")))
    with app.app_context():
        advocate = make_advocate(db.session, email="ada@customer.example", name="Ada Proxy")
        db.session.commit()
        email = advocate.email
        db.engine.dispose()
    processes = servers.Processes(folder)
    try:
        env = servers.production_env(url, str(folder / "uploads"))
        _, upstream = processes.gunicorn("web", "wsgi:app", env, workers=1)
        ports = {"http_port": servers.free_port(), "https_port": servers.free_port()}
        (folder / "site.conf").write_text(site_config(folder, upstream=upstream, **ports))
        (folder / "nginx.conf").write_text(main_config(folder))
        command = [nginx, "-p", str(folder), "-e", str(folder / "error.log"), "-c", "nginx.conf"]
        checked = subprocess.run([*command, "-t"], capture_output=True, text=True, timeout=60, check=False)
        server = processes.spawn("nginx", [*command, "-g", "daemon off;"], os.environ.copy())
        servers.wait_for_port(ports["https_port"], server, folder / "error.log")
        yield {"checked": checked, "email": email, "url": url, **ports}
    finally:
        for process in processes.started:
            if process.args[0] == nginx and process.poll() is None:
                process.send_signal(signal.SIGQUIT)  # nginx's graceful stop
        processes.stop_all()


def request(port: int, method: str, path: str, *, tls: bool = True, headers: dict | None = None,
            body: str | None = None) -> http.client.HTTPResponse:
    if tls:
        context = ssl.create_default_context()
        context.check_hostname, context.verify_mode = False, ssl.CERT_NONE  # our self-signed certificate
        connection = http.client.HTTPSConnection("127.0.0.1", port, context=context, timeout=30)
    else:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request(method, path, body=body, headers={"Host": HOST, **(headers or {})})
    response = connection.getresponse()
    response.text = response.read().decode()
    connection.close()
    return response


def cookie(response) -> str:
    return response.getheader("Set-Cookie").split(";", 1)[0]


def test_debians_nginx_accepts_the_deploy_config(proxy):
    assert proxy["checked"].returncode == 0, proxy["checked"].stderr
    assert "test is successful" in proxy["checked"].stderr


def test_plain_http_is_sent_to_https(proxy):
    answer = request(proxy["http_port"], "GET", "/login?next=%2Fportal%2F", tls=False)
    assert answer.status == 301
    assert answer.getheader("Location") == f"https://{HOST}/login?next=%2Fportal%2F"


def test_over_tls_the_app_answers_with_production_headers_and_no_server_version(proxy):
    answer = request(proxy["https_port"], "GET", "/login")
    assert answer.status == 200 and "password" in answer.text
    assert answer.getheader("Strict-Transport-Security") == "max-age=31536000; includeSubDomains"
    assert answer.getheader("Server") == "nginx"
    session_cookie = answer.getheader("Set-Cookie")
    assert session_cookie.startswith("__Host-session=") and "Secure" in session_cookie
    assert "HttpOnly" in session_cookie


def test_a_sign_in_through_the_proxy_passes_csrf_and_records_the_real_client_address(proxy):
    form = request(proxy["https_port"], "GET", "/login")
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', form.text).group(1)
    body = urlencode({"csrf_token": token, "email": proxy["email"], "password": PASSWORD})
    signed_in = request(proxy["https_port"], "POST", "/login", body=body, headers={
        "Cookie": cookie(form), "Content-Type": "application/x-www-form-urlencoded",
        "Referer": f"https://{HOST}/login", "X-Forwarded-For": FORGED})
    assert signed_in.status == 302, signed_in.text[:500]
    assert signed_in.getheader("Location") == "/portal/"
    portal = request(proxy["https_port"], "GET", "/portal/", headers={"Cookie": cookie(signed_in)})
    assert portal.status == 200 and "Ada Proxy" in portal.text
    engine = create_engine(proxy["url"])
    with engine.connect() as connection:
        addresses = connection.scalars(select(LoginSession.ip)).all()
    engine.dispose()
    assert addresses == ["127.0.0.1"]  # the address nginx saw, not the one the client forged
