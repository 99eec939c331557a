"""The API's customer and advocate request tests, and the bad-input ones, again on a real PostgreSQL.

PUT /advocates/by-external-id/{id}, POST /advocates/import (JSON and CSV), the advocate lists with
their cursors and filters, the ledger, adjustments with Idempotency-Key, and every malformed or
mistyped body, and the rate limit's window: the test functions of test_customers.py, test_advocates.py,
test_fuzz.py and test_rate_limit.py, collected
here a second time, where `app` (and so `session`, `client`, `api`) and `app_factory` build on
PostgreSQL. PostgreSQL is stricter than SQLite (types, NUL in text, ON CONFLICT, case of LIKE), so
what passes on one engine is proved on the other too.
"""

import pytest
from _pytest.fixtures import FixtureFunctionDefinition

from app import create_app
from app.extensions import db
from tests.api import test_advocates, test_customers, test_fuzz, test_rate_limit
from tests.conftest import make_config

pytestmark = pytest.mark.postgres

for _module in (test_customers, test_advocates, test_fuzz, test_rate_limit):
    _short = _module.__name__.rsplit(".", 1)[-1].removeprefix("test_")
    for _name, _value in vars(_module).items():
        if _name.startswith("test_") and callable(_value):
            globals()[f"test_pg_{_short}__{_name.removeprefix('test_')}"] = _value
        elif isinstance(_value, FixtureFunctionDefinition):
            globals()[_name] = _value


@pytest.fixture
def app_factory(pg_server, pg_template, tmp_path):
    """Build an app on a fresh PostgreSQL database copied from the migrated template."""
    made = []

    def build(**overrides):
        name = pg_server.create_database(template=pg_template)
        app = create_app(make_config(pg_server.url(name), str(tmp_path / "uploads"), **overrides))
        made.append((app, name))
        return app

    yield build
    for app, name in made:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        pg_server.drop_database(name)


@pytest.fixture
def app(app_factory):
    app = app_factory()
    with app.app_context():
        yield app
        db.session.remove()


def test_the_tests_here_run_on_postgresql(session, app_factory):
    assert session.get_bind().dialect.name == "postgresql"
    other = app_factory(API_RATE_LIMIT_PER_MINUTE=3)
    with other.app_context():
        assert db.engine.dialect.name == "postgresql"
