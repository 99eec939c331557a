"""The consent rule in SQL (newest row per item and use) on SQLite and PostgreSQL: export, library
filter and the API listing agree after grants and a withdrawal."""

from app.models import ContentUse
from app.services import content
from app.services.api import listings
from tests.factories import make_advocate


def test_the_newest_consent_row_decides_on_both_engines(any_session, now):
    s = any_session
    advocate = make_advocate(s)
    items = [content.create(s, new=content.NewItem(kind="quote", text=f"Words {n}", advocate_id=advocate.id),
                            staff_id=None, now=now) for n in range(3)]

    def consent(item, use, granted):
        content.set_consent(s, item_id=item.id, use=use, granted=granted, by_kind="advocate",
                            by_id=advocate.id, now=now)

    consent(items[0], "website", True)
    consent(items[1], "website", True)
    consent(items[1], "website", False)
    consent(items[1], "sales", True)
    consent(items[2], "website", True)
    consent(items[2], "website", False)
    consent(items[2], "website", True)
    web = [i.id for i in content.library(s, filters=content.Filters(consent=ContentUse.WEBSITE)).items]
    assert sorted(web) == [items[0].id, items[2].id]
    listed = listings.content_items(s, after=None, limit=10, filters=content.Filters(),
                                    use=ContentUse.WEBSITE)
    assert [row.id for row in listed.rows] == [items[0].id, items[2].id]
    any_use = listings.content_items(s, after=None, limit=10, filters=content.Filters())
    assert [row.id for row in any_use.rows] == [i.id for i in items]
    assert any_use.rows[1].consents == {ContentUse.WEBSITE: False, ContentUse.SALES: True,
                                        ContentUse.SOCIAL: False}
    assert "Words 1" in content.to_csv(s, use=ContentUse.SALES)
    assert "Words 1" not in content.to_csv(s, use=ContentUse.WEBSITE)
