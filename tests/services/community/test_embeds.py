"""The embeds service: the rules of an embed, its signed token, revocation and the rows it shows."""

from datetime import timedelta

import pytest

from app.models import Embed, EmbedNames, EmbedPeriod, EmbedTheme
from app.services import clock
from app.services.community import EmbedLimiter, embeds
from app.services.errors import NotFound, ValidationFailed
from tests.factories import fund, make_advocate, make_staff

SECRET = "test-secret"


def _make(session, **overrides):
    values = dict(name="Community site", period="week", origins=("https://community.example.com",))
    values.update(overrides)
    return embeds.create_embed(session, spec=embeds.EmbedSpec(**values), created_by=None, now=clock.utcnow())


def test_an_embed_keeps_what_marketing_chose(session):
    staff = make_staff(session)
    embed = embeds.create_embed(session, spec=embeds.EmbedSpec(
        name="  Event screen ", period="all_time", rows=25, theme="dark", names="first_initial",
        region="EMEA",
        origins=("https://Community.Example.com/", "https://community.example.com", "https://x.io:8443")),
        created_by=staff, now=clock.utcnow())
    assert (embed.name, embed.kind, embed.period, embed.rows) == ("Event screen", "leaderboard",
                                                                  EmbedPeriod.ALL_TIME, 25)
    assert (embed.theme, embed.names) == (EmbedTheme.DARK, EmbedNames.FIRST_INITIAL)
    assert (embed.region, embed.industry) == ("EMEA", None)
    assert embed.allowed_origins == ["https://community.example.com", "https://x.io:8443"]
    assert embed.created_by == staff and embed.revoked_at is None


@pytest.mark.parametrize(("overrides", "field"), [
    ({"name": " "}, "name"), ({"name": "x" * 81}, "name"), ({"period": "year"}, "period"),
    ({"rows": 0}, "rows"), ({"rows": 101}, "rows"), ({"theme": "pink"}, "theme"),
    ({"names": "email"}, "names"),
    ({"origins": ("http://community.example.com",)}, "origins"),
    ({"origins": ("https://community.example.com/page",)}, "origins"),
    ({"origins": ("https://*.example.com",)}, "origins"),
    ({"origins": ("https://a.com https://b.com",)}, "origins"),
    ({"origins": ("https://user@a.com",)}, "origins"), ({"origins": ("community.example.com",)}, "origins"),
])
def test_bad_choices_are_refused_on_their_field(session, overrides, field):
    with pytest.raises(ValidationFailed) as error:
        _make(session, **overrides)
    assert error.value.field == field
    assert session.query(Embed).count() == 0


def test_names_are_unique(session):
    _make(session)
    with pytest.raises(ValidationFailed, match="already named"):
        _make(session)


def test_the_token_names_the_embed_and_fails_when_changed_foreign_or_revoked(session, now):
    embed = _make(session)
    token = embeds.token_for(embed, secret=SECRET)
    assert embeds.embed_for_token(session, token=token, secret=SECRET, now=now) == embed
    for bad in (token[:-1] + ("A" if token[-1] != "A" else "B"), "1", token.replace(token[0], "Z", 1)):
        with pytest.raises(NotFound):
            embeds.embed_for_token(session, token=bad, secret=SECRET, now=now)
    with pytest.raises(NotFound):
        embeds.embed_for_token(session, token=token, secret="another-secret", now=now)
    embeds.revoke_embed_named(session, name="Community site", now=now)
    assert embed.revoked_at == now
    with pytest.raises(NotFound):
        embeds.embed_for_token(session, token=token, secret=SECRET, now=now)


def test_revoking_an_unknown_name_says_so(session, now):
    with pytest.raises(NotFound, match="No embed is named"):
        embeds.revoke_embed_named(session, name="nope", now=now)


def test_rows_hide_opted_out_advocates_and_follow_the_names_setting(session, now):
    shown = fund(session, make_advocate(session, name="Jane van Doe", company="Acme"), 300)
    hidden = make_advocate(session, name="Hidden Person", company="Secret Co", leaderboard_opt_out=True)
    fund(session, hidden, 200)
    fund(session, make_advocate(session, name="Other Region", company="Beta", region="APAC"), 100)
    full = embeds.embed_rows(session, embed=_make(session, name="a", period="all_time"), now=now)
    assert [(r.rank, r.name, r.company, r.points) for r in full] == [
        (1, "Jane van Doe", "Acme", 300), (2, "Anonymous advocate", "", 200),
        (3, "Other Region", "Beta", 100)]
    initials_embed = _make(session, name="b", period="all_time", names="first_initial", region="EMEA", rows=1)
    initials = embeds.embed_rows(session, embed=initials_embed, now=now)
    assert [(r.name, r.company) for r in initials] == [("Jane D.", "Acme")]
    company_embed = _make(session, name="c", period="all_time", names="company")
    company = embeds.embed_rows(session, embed=company_embed, now=now)
    assert [(r.name, r.company) for r in company][:2] == [("Acme", ""), ("Anonymous advocate", "")]
    assert shown.email not in repr(full + initials + company)


def test_the_etag_changes_with_the_rows(session, now):
    advocate = make_advocate(session)
    embed = _make(session, period="all_time")
    before = embeds.rows_etag(embed, embeds.embed_rows(session, embed=embed, now=now))
    assert before == embeds.rows_etag(embed, embeds.embed_rows(session, embed=embed, now=now))
    fund(session, advocate, 10)
    assert before != embeds.rows_etag(embed, embeds.embed_rows(session, embed=embed, now=now))


def test_an_expiry_must_be_in_the_future_and_ends_the_token_when_it_comes(session, now):
    with pytest.raises(ValidationFailed, match="in the future") as refused:
        _make(session, expires_at=now)
    assert refused.value.field == "expires_at"
    embed = _make(session, expires_at=now + timedelta(days=1))
    token = embeds.token_for(embed, secret=SECRET)
    assert embeds.embed_for_token(session, token=token, secret=SECRET, now=now + timedelta(hours=23)) == embed
    with pytest.raises(NotFound):
        embeds.embed_for_token(session, token=token, secret=SECRET, now=now + timedelta(days=1))


def test_the_limiter_counts_per_embed_in_a_sliding_window(now):
    limiter = EmbedLimiter(2)
    assert [limiter.take(1, now=now), limiter.take(1, now=now + timedelta(seconds=30))] == [0, 0]
    assert limiter.take(1, now=now + timedelta(seconds=40)) == 20
    assert limiter.take(2, now=now + timedelta(seconds=40)) == 0
    assert limiter.take(1, now=now + timedelta(seconds=60)) == 0  # the first left the window
    assert EmbedLimiter(0).take(1, now=now) == 60
