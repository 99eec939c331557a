"""GET /api/v1/content: only approved items consented now (for `use`, or any use); filters; pages;
`include=all` for write keys only; bad filters are 422 in the error envelope."""

from app.services import content
from tests.api.conftest import error_of
from tests.factories import make_advocate


def _item(session, now, text, uses=(), **values):
    advocate = make_advocate(session, name="Jane Doe", company="Acme")
    new = content.NewItem(**({"kind": "testimonial", "text": text, "advocate_id": advocate.id} | values))
    item = content.create(session, new=new, staff_id=None, now=now)
    for use in uses:
        content.set_consent(session, item_id=item.id, use=use, granted=True, by_kind="advocate",
                            by_id=advocate.id, now=now)
    session.commit()
    return item


def _ids(response):
    assert response.status_code == 200, response.get_data(as_text=True)
    return [row["id"] for row in response.get_json()["data"]]


def test_lists_only_consented_approved_items_with_their_consents(read_api, session, now):
    web = _item(session, now, "On the website", uses=("website",), tags={"industry": "Retail"})
    sales = _item(session, now, "In sales decks", uses=("sales",))
    _item(session, now, "Nobody agreed")
    draft = _item(session, now, "", kind="case_study", uses=("website",))
    assert _ids(read_api.get("/content")) == [web.id, sales.id]
    assert _ids(read_api.get("/content?use=sales")) == [sales.id]
    row = read_api.get("/content?use=website").get_json()["data"][0]
    assert row["consents"] == {"website": True, "sales": False, "social": False}
    assert (row["author"], row["company"], row["state"], row["kind"]) == ("Jane Doe", "Acme", "approved",
                                                                         "testimonial")
    assert _ids(read_api.get("/content?industry=Retail")) == [web.id]
    assert _ids(read_api.get("/content?q=decks")) == [sales.id]
    assert draft.id not in _ids(read_api.get("/content"))


def test_a_withdrawal_takes_the_item_out_of_the_next_answer(read_api, session, now):
    item = _item(session, now, "Words", uses=("website",))
    assert _ids(read_api.get("/content?use=website")) == [item.id]
    content.set_consent(session, item_id=item.id, use="website", granted=False, by_kind="advocate",
                        by_id=item.advocate_id, now=now)
    session.commit()
    assert _ids(read_api.get("/content?use=website")) == []


def test_include_all_needs_a_write_key(api, read_api, session, now):
    item = _item(session, now, "Nobody agreed")
    refused = read_api.get("/content?include=all")
    assert refused.status_code == 403 and error_of(refused)["code"] == "forbidden"
    assert _ids(api.get("/content?include=all")) == [item.id]
    assert api.get("/content?include=all").get_json()["data"][0]["consents"]["website"] is False


def test_pages_and_bad_filters(read_api, session, now):
    made = [_item(session, now, f"Words {n}", uses=("social",)).id for n in range(3)]
    first = read_api.get("/content?limit=2").get_json()
    assert [r["id"] for r in first["data"]] == made[:2] and first["next_cursor"]
    second = read_api.get(f"/content?limit=2&cursor={first['next_cursor']}").get_json()
    assert [r["id"] for r in second["data"]] == made[2:] and second["next_cursor"] is None
    for query, field in (("use=tv", "use"), ("kind=poem", "kind"), ("include=some", "include")):
        bad = read_api.get(f"/content?{query}")
        assert bad.status_code == 422 and error_of(bad)["field"] == field
