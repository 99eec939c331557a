"""The SQL fit equals the Python fit on both engines (case folding, use-case search, integer division,
the rest steps), and matching ranks the same."""

from app.services import references
from app.services.references import matching
from tests.services.references.support import D, new_request, referee, reference_activity


def test_sql_and_python_fit_agree(any_session, now):
    session = any_session
    reference_activity(session)
    for n, last in enumerate([None, now - 17 * D, now - 18 * D, now - 95 * D, now - 179 * D, now - 181 * D,
                              now - 36 * D, None]):
        referee(session, now, industry=["Software", "SOFTWARE", "Retail"][n % 3],
                company_size=["51-200", "1-50"][n % 2], region=["EMEA", "emea", "APAC"][n % 3],
                use_cases=[["sso"], ["migration", "sso"], [], ["reporting", "migration", "sso"]][n % 4],
                last_reference_at=last)
    request = new_request(session, now, use_cases=["sso", "migration", "api"])
    cfg = matching.settings_service.load(session)
    rows = session.execute(matching._candidates(request, cfg, now, session.get_bind().dialect.name)).all()
    assert len(rows) == 8
    assert [row.score for row in rows] == [matching.fit(request, row, now)[0] for row in rows]
    found = references.find_matches(session, request=request, now=now)
    assert [m.fit_score for m in found] == sorted((m.fit_score for m in found), reverse=True)
