"""`flask embeds create` prints a working URL; `flask embeds revoke NAME` ends it."""

from app.models import Embed, EmbedPeriod


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
