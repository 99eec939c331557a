"""The content library: approval → item, consent (export and feed only when consented now; a
withdrawal unpublishes at once), the case-study approval gate, the library filters."""

import csv
import io

import pytest

from app.models import ActivityKind, ContentItem, ContentKind, ContentState, ContentUse, Evidence, FeedItem
from app.services import content, feed, missions
from app.services.errors import Conflict, Forbidden, InvalidTransition, NotFound, ValidationFailed
from tests.factories import make_activity, make_advocate, make_mission, make_staff, make_submitted_attempt


def _approved(session, kind=ActivityKind.TESTIMONIAL, evidence=Evidence.TEXT, **given):
    activity = make_activity(session, kind=kind, evidence=evidence)
    advocate = make_advocate(session, name="Jane Doe", company="Acme")
    given = given or ({"text": "Rallypoint made our team faster."} if evidence == Evidence.TEXT
                      else {"link": "https://g2.example.com/r/1"})
    mission = make_mission(session, activity=activity)
    attempt = make_submitted_attempt(session, advocate=advocate, mission=mission, **given)
    missions.approve_attempt(session, staff=make_staff(session), attempt_id=attempt.id,
                             now=attempt.submitted_at)
    return session.query(ContentItem).filter_by(source_attempt_id=attempt.id).one()


def test_approving_a_testimonial_makes_one_approved_item_with_its_text(session):
    item = _approved(session)
    assert (item.kind, item.state, item.text, item.author) == (
        ContentKind.TESTIMONIAL, ContentState.APPROVED, "Rallypoint made our team faster.", "Jane Doe")
    assert content.from_attempt(session, attempt=item.source_attempt, now=item.created_at).id == item.id


def test_a_review_keeps_its_rating_and_platform_and_other_kinds_make_no_item(session):
    item = _approved(session, ActivityKind.REVIEW, Evidence.LINK, link="https://g2.example.com/r/9", rating=4,
                     platform="G2")
    assert (item.kind, item.link, item.rating, item.platform) == (
        ContentKind.REVIEW, "https://g2.example.com/r/9", 4, "G2")
    before = session.query(ContentItem).count()
    _approved_webinar = make_submitted_attempt(
        session, mission=make_mission(session, activity=make_activity(session, kind=ActivityKind.WEBINAR)))
    missions.approve_attempt(session, staff=make_staff(session), attempt_id=_approved_webinar.id,
                             now=_approved_webinar.submitted_at)
    assert session.query(ContentItem).count() == before


def test_a_rating_outside_one_to_five_is_refused_on_submission(session):
    with pytest.raises(ValidationFailed) as refused:
        make_submitted_attempt(session, link="https://g2.example.com/r/1", rating=6)
    assert refused.value.field == "rating"


def _grant(session, item, use, granted=True):
    return content.set_consent(session, item_id=item.id, use=use, granted=granted, by_kind="advocate",
                               by_id=item.advocate_id, now=item.created_at)


def _exported_ids(session, use):
    return [int(row["id"]) for row in csv.DictReader(io.StringIO(content.to_csv(session, use=use)))]


def test_without_consent_for_a_use_an_item_is_neither_exported_nor_published_for_it(session):
    item = _approved(session)
    assert _exported_ids(session, ContentUse.SALES) == []
    with pytest.raises(Conflict):
        content.publish(session, item_id=item.id, now=item.created_at)
    _grant(session, item, ContentUse.SALES)
    assert _exported_ids(session, ContentUse.SALES) == [item.id]
    assert _exported_ids(session, ContentUse.WEBSITE) == []
    with pytest.raises(Conflict):  # sales consent does not cover the feed
        content.publish(session, item_id=item.id, now=item.created_at)
    _grant(session, item, ContentUse.WEBSITE)
    content.publish(session, item_id=item.id, now=item.created_at)
    assert [e.text for e in feed.page(session).entries] == ["“Rallypoint made our team faster.”"]


def test_withdrawal_unpublishes_everywhere_at_once_and_keeps_the_history(session):
    item = _approved(session)
    _grant(session, item, ContentUse.WEBSITE)
    _grant(session, item, ContentUse.SALES)
    content.publish(session, item_id=item.id, now=item.created_at)
    assert _grant(session, item, ContentUse.WEBSITE) is None  # a repeat writes nothing
    _grant(session, item, ContentUse.WEBSITE, granted=False)
    assert session.query(FeedItem).count() == 0 and feed.page(session).entries == []
    assert item.published_at is None
    assert _exported_ids(session, ContentUse.WEBSITE) == []
    assert _exported_ids(session, ContentUse.SALES) == [item.id]
    assert [(r.use, r.granted) for r in content.history(session, item_id=item.id)] == [
        (ContentUse.WEBSITE, False), (ContentUse.SALES, True), (ContentUse.WEBSITE, True)]
    _grant(session, item, ContentUse.WEBSITE)  # granted again: exportable, but not republished by itself
    assert _exported_ids(session, ContentUse.WEBSITE) == [item.id] and feed.page(session).entries == []


def test_only_the_author_decides_an_advocates_consent(session):
    item = _approved(session)
    other = make_advocate(session)
    with pytest.raises(NotFound):
        content.set_consent(session, item_id=item.id, use="website", granted=True, by_kind="advocate",
                            by_id=other.id, now=item.created_at)
    with pytest.raises(Forbidden):
        content.set_consent(session, item_id=item.id, use="website", granted=True, by_kind="staff", by_id=1,
                            now=item.created_at)


def test_a_named_persons_item_takes_staff_recorded_consent_but_never_goes_in_the_feed(session, now):
    staff = make_staff(session)
    new = content.NewItem(kind="quote", text="Best tool we bought.", author_name="Sam Lee",
                          author_company="Initech", tags={"industry": "Fintech"})
    item = content.create(session, new=new, staff_id=staff.id, now=now)
    content.set_consent(session, item_id=item.id, use="website", granted=True, by_kind="staff",
                        by_id=staff.id, now=now)
    assert _exported_ids(session, ContentUse.WEBSITE) == [item.id]
    with pytest.raises(Conflict):
        content.publish(session, item_id=item.id, now=now)


def test_archiving_stops_export_and_takes_it_out_of_the_feed(session):
    item = _approved(session)
    _grant(session, item, ContentUse.WEBSITE)
    content.publish(session, item_id=item.id, now=item.created_at)
    content.archive(session, item_id=item.id)
    assert _exported_ids(session, ContentUse.WEBSITE) == [] and feed.page(session).entries == []


def _case_study(session, now):
    advocate = make_advocate(session, name="Ada Case")
    return content.create(session, new=content.NewItem(kind="case_study", text="", title="Acme story",
                                                       advocate_id=advocate.id), staff_id=None, now=now)


def test_a_case_study_needs_every_step_and_the_advocates_approval_before_use(session, now):
    item = _case_study(session, now)
    content.set_consent(session, item_id=item.id, use="website", granted=True, by_kind="advocate",
                        by_id=item.advocate_id, now=now)
    assert content.next_step(item) == "challenge"
    for step in content.STEPS[:3]:
        content.save_step(session, item_id=item.id, step=step, text=f"The {step}.")
    with pytest.raises(ValidationFailed) as missing:
        content.send_for_approval(session, item_id=item.id, now=now)
    assert missing.value.field == "quote"
    content.save_step(session, item_id=item.id, step="quote", text="We love it.")
    content.send_for_approval(session, item_id=item.id, now=now)
    assert item.state == ContentState.AWAITING_AUTHOR
    with pytest.raises(Conflict):  # not approved by the advocate yet
        content.publish(session, item_id=item.id, now=now)
    assert _exported_ids(session, ContentUse.WEBSITE) == []
    with pytest.raises(NotFound):
        content.author_approve(session, item_id=item.id, advocate_id=make_advocate(session).id, now=now)
    content.author_approve(session, item_id=item.id, advocate_id=item.advocate_id, now=now)
    assert item.state == ContentState.APPROVED and item.author_approved_at == now
    assert "Challenge: The challenge." in item.text and "Quote: We love it." in item.text
    content.publish(session, item_id=item.id, now=now)
    assert len(feed.page(session).entries) == 1


def test_an_edit_after_approval_needs_approval_again_and_unpublishes(session, now):
    item = _case_study(session, now)
    content.set_consent(session, item_id=item.id, use="website", granted=True, by_kind="advocate",
                        by_id=item.advocate_id, now=now)
    for step in content.STEPS:
        content.save_step(session, item_id=item.id, step=step, text=f"The {step}.")
    content.send_for_approval(session, item_id=item.id, now=now)
    content.author_approve(session, item_id=item.id, advocate_id=item.advocate_id, now=now)
    content.publish(session, item_id=item.id, now=now)
    content.save_step(session, item_id=item.id, step="results", text="Twice as fast.")
    assert (item.state, item.author_approved_at, item.published_at) == (ContentState.DRAFT, None, None)
    assert feed.page(session).entries == [] and _exported_ids(session, ContentUse.WEBSITE) == []
    with pytest.raises(InvalidTransition):
        content.author_approve(session, item_id=item.id, advocate_id=item.advocate_id, now=now)


def test_library_filters_by_text_kind_state_consent_and_tags(session, now):
    item = _approved(session)
    content.set_tags(session, item_id=item.id, tags={"industry": "Retail", "outcome": "Speed"})
    quote = content.create(session, new=content.NewItem(kind="quote", text="Other words", author_name="Bo"),
                           staff_id=None, now=now)

    def ids(**filters):
        return [i.id for i in content.library(session, filters=content.Filters(**filters)).items]

    assert ids() == [quote.id, item.id]
    assert ids(q="faster") == [item.id] and ids(q="jane") == [item.id]
    assert ids(kind=ContentKind.QUOTE) == [quote.id]
    assert ids(tags={"industry": "Retail"}) == [item.id] and ids(tags={"industry": "Fintech"}) == []
    assert ids(consent=ContentUse.WEBSITE) == []
    _grant(session, item, ContentUse.WEBSITE)
    assert ids(consent=ContentUse.WEBSITE) == [item.id]
    assert ids(state=ContentState.DRAFT) == []
    page = content.library(session, filters=content.Filters(), page=1, size=1)
    assert [i.id for i in page.items] == [quote.id] and page.has_more


def test_staff_input_is_checked(session, now):
    with pytest.raises(ValidationFailed) as no_author:
        content.create(session, new=content.NewItem(kind="quote", text="x"), staff_id=None, now=now)
    assert no_author.value.field == "author_name"
    with pytest.raises(ValidationFailed) as no_advocate:
        content.create(session, new=content.NewItem(kind="case_study", text="", author_name="Sam"),
                       staff_id=None, now=now)
    assert no_advocate.value.field == "advocate_email"
    with pytest.raises(ValidationFailed) as unknown:
        content.create(session, new=content.NewItem(kind="quote", text="x", advocate_email="no@one.test"),
                       staff_id=None, now=now)
    assert unknown.value.field == "advocate_email"
    jane = make_advocate(session, email="jane@acme.test")
    new = content.NewItem(kind="quote", text="x", advocate_email=" Jane@Acme.test")
    by_email = content.create(session, new=new, staff_id=None, now=now)
    assert by_email.advocate_id == jane.id
    with pytest.raises(ValidationFailed) as bad_kind:
        content.create(session, new=content.NewItem(kind="poem", text="x", author_name="Sam"), staff_id=None,
                       now=now)
    assert bad_kind.value.field == "kind"


def test_the_csv_never_lets_a_spreadsheet_run_a_formula(session):
    item = _approved(session, text="=HYPERLINK(\"http://evil\")")
    _grant(session, item, ContentUse.SALES)
    row = next(csv.DictReader(io.StringIO(content.to_csv(session, use=ContentUse.SALES))))
    assert row["text"].startswith("'=")


def test_erasing_the_author_withdraws_clears_and_unpublishes(session):
    from app.services.people import erasure

    item = _approved(session)
    _grant(session, item, ContentUse.WEBSITE)
    content.publish(session, item_id=item.id, now=item.created_at)
    erasure.erase_advocate(session, advocate=item.advocate, now=item.created_at)
    assert feed.page(session).entries == [] and session.query(FeedItem).count() == 0
    assert (item.text, item.author_name, item.state) == ("", "", ContentState.ARCHIVED)
    assert content.current(session, item_id=item.id)[ContentUse.WEBSITE].granted is False
    assert _exported_ids(session, ContentUse.WEBSITE) == []
