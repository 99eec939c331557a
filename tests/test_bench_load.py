"""The campaign-day script's own logic (tests/bench/load), without a server: how it reads the app's
forms, and how it counts errors around a worker SIGKILL. `make bench-load` itself is not part of
`make test`; docs/performance.md says how to run it small."""

from tests.bench.load.browser import Browser, Recorder, Sample, form_to, form_with, forms
from tests.bench.load.figures import percentile, split_errors, traffic
from tests.bench.load.users import evidence


def test_forms_are_read_from_the_real_sign_in_page(client):
    page = client.get("/login").get_data(as_text=True)
    login = form_with(page, "password")
    assert login is not None and login.action == ""
    assert {"email", "password"} <= set(login.fields)
    assert "remember" not in login.fields  # an unticked checkbox is not sent


def test_form_fields_are_unescaped_and_chosen_by_action():
    page = ('<form method="post" action="/a/1/approve"><input type="hidden" name="approve1-csrf_token" '
            'value="x&amp;y"><textarea name="approve1-note"></textarea>'
            '<button type="submit">Go</button></form>'
            '<form action="/a/1/reject"><input name="reject1-reason" value=""></form>')
    assert [f.action for f in forms(page)] == ["/a/1/approve", "/a/1/reject"]
    approve = form_to(page, "/approve")
    assert approve.fields == {"approve1-csrf_token": "x&y", "approve1-note": ""}


def test_evidence_follows_what_the_form_asks_for():
    assert evidence({"t": "1"}, '<input name="link">')["link"].startswith("https://")
    assert evidence({"t": "1"}, '<textarea name="text">')["text"]
    assert evidence({"t": "1"}, "") == {"t": "1"}
    assert not isinstance(evidence({"t": "1"}, '<input type="file" name="file">'), dict)


def test_only_the_request_in_flight_at_a_kill_is_the_killed_workers():
    recorder = Recorder(kills=[10.0])
    recorder.samples = [
        Sample("dashboard", 9.9, 10.0, 0, "ServerDisconnectedError"),  # on the killed worker
        Sample("missions", 9.95, 10.01, 0, "ServerDisconnectedError"),  # a second one is an error
        Sample("mission", 11.0, 11.2, 0, "ClientConnectorError"),  # after the kill: an error
        Sample("submit", 9.0, 9.1, 500, "HTTP 500"),
        Sample("login", 9.0, 9.2, 302),
    ]
    errors, killed = split_errors(recorder)
    assert [s.kind for s in killed] == ["dashboard"]
    assert [s.kind for s in errors] == ["missions", "mission", "submit"]


def test_traffic_figures_cover_the_hold_only():
    from tests.bench.load.day import Window

    recorder = Recorder()
    recorder.samples = [Sample("dashboard", t, t + 0.010 * (n + 1), 200) for n, t in enumerate(range(100))]
    recorder.samples.append(Sample("dashboard", 200.0, 209.0, 200))  # after the hold
    lines = traffic("sqlite", recorder, Window(0.0, 100.0))
    assert lines["load_sqlite_rps"] == "1.0"
    assert lines["load_sqlite_dashboard_p50_ms"] == "500"
    assert lines["load_sqlite_dashboard_p95_ms"] == "950" == lines["load_sqlite_p95_ms"]
    assert lines["load_sqlite_errors"] == "0"
    assert percentile([1.0, 2.0, 3.0, 4.0], 0.99) == 4.0


def test_the_client_does_not_resend_a_dropped_request():
    """aiohttp resends a GET once when the connection drops; the bench must see every drop."""
    import asyncio

    from tests.bench.load.day import client_session

    async def dropped() -> tuple[int, int, str]:
        accepted = 0

        async def drop(reader, writer):
            nonlocal accepted
            accepted += 1
            await reader.readline()
            writer.close()

        server = await asyncio.start_server(drop, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        recorder = Recorder()
        async with server, client_session(1) as http:
            page = await Browser(http, f"http://127.0.0.1:{port}", recorder, "10.0.0.1").get("dashboard", "/")
        return accepted, page.status, recorder.samples[0].error

    assert asyncio.run(dropped()) == (1, 0, "ServerDisconnectedError")
