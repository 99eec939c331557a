"""`flask embeds create` prints a working URL; `flask embeds revoke NAME` ends it."""

from datetime import datetime

from app.models import Embed, EmbedPeriod
from app.services.periods import to_utc
from app.services.program import settings as settings_service


def test_create_prints_a_url_that_works_then_revoke_ends_it(app, session, client):
    runner = app.test_cli_runner()
    made = runner.invoke(args=["embeds", "create", "--name", "Event screen", "--period", "all-time",
                               "--origin", "https://events.example.org", "--url", "https://advocates.example.com"])
    assert made.exit_code == 0, made.output
    url = made.output.strip()
    assert url.startswith("https://advocates.example.com/embed/")
    embed = session.query(Embed).one()
    assert embed.period == EmbedPeriod.ALL_TIME and embed.allowed_origins == ["https://events.example.org"]
    path = url.removeprefix("https://advocates.example.com")
    assert client.get(path).status_code == 200
    revoked = runner.invoke(args=["embeds", "revoke", "Event screen"])
    assert revoked.exit_code == 0 and "revoked" in revoked.output
    assert client.get(path).status_code == 404


def test_errors_are_reported_and_change_nothing(app, session):
    runner = app.test_cli_runner()
    bad = runner.invoke(args=["embeds", "create", "--name", "X", "--period", "week", "--origin", "http://a.com"])
    assert bad.exit_code == 1 and "not an https origin" in bad.output
    assert session.query(Embed).count() == 0
    assert runner.invoke(args=["embeds", "create", "--name", "X", "--period", "year"]).exit_code == 2
    missing = runner.invoke(args=["embeds", "revoke", "nope"])
    assert missing.exit_code == 1 and "No embed is named" in missing.output


def test_expires_takes_a_local_time_or_a_date_meaning_the_end_of_that_day(app, session):
    tz = settings_service.load(session).timezone
    runner = app.test_cli_runner()

    def create(name, expires):
        return runner.invoke(args=["embeds", "create", "--name", name, "--period", "week",
                                   "--expires", expires])

    at, day = create("A", "2027-01-31T18:30"), create("B", "2027-01-31")
    assert at.exit_code == 0 and day.exit_code == 0, at.output + day.output
    expiry = {e.name: e.expires_at for e in session.query(Embed)}
    assert expiry["A"] == to_utc(datetime(2027, 1, 31, 18, 30), tz)
    assert expiry["B"] == to_utc(datetime(2027, 2, 1), tz)
    bad = create("C", "soon")
    assert bad.exit_code == 2 and "YYYY-MM-DD" in bad.output
    past = create("D", "2020-01-01")
    assert past.exit_code == 1 and "in the future" in past.output
    assert session.query(Embed).count() == 2


def test_create_a_feed_embed(app, session, client):
    runner = app.test_cli_runner()
    made = runner.invoke(args=["embeds", "create", "--name", "Feed", "--period", "week", "--what", "feed",
                               "--rows", "5", "--url", "https://advocates.example.com"])
    assert made.exit_code == 0, made.output
    embed = session.query(Embed).one()
    assert (embed.kind, embed.rows) == ("feed", 5)
    path = made.output.strip().removeprefix("https://advocates.example.com")
    assert client.get(path, headers={"Accept": "application/json"}).json == {"name": "Feed", "what": "feed",
                                                                             "items": []}
