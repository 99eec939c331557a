"""`flask backup PATH` and `flask restore PATH` on both engines: a backup taken while another thread
writes ledger entries restores into a fresh database with every row and a clean `points verify`;
existing files, non-empty targets, newer revisions and files that are not backups are refused."""

import re
import sqlite3
import subprocess
import threading
import uuid

import pytest
import sqlalchemy as sa

from app import create_app
from app.extensions import db
from app.services import clock
from app.services.operations import backups
from app.services.points import ledger
from tests.conftest import make_config
from tests.factories import make_advocate, make_staff
from tests.pg import find_pg_bin

ADVOCATES = 10


@pytest.fixture
def engine_apps(request, app_factory, tmp_path):
    """make() builds an app: on SQLite a freshly migrated, empty database each time; on PostgreSQL
    the first is migrated and empty, the second (a restore's target) has not even the schema."""
    made = []

    def make():
        if request.param == "sqlite":
            return app_factory()
        url = request.getfixturevalue("pg_empty_url" if made else "pg_url")
        made.append(create_app(make_config(url, str(tmp_path / "uploads"))))
        return made[-1]

    yield make
    for app in made:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


ENGINES = pytest.mark.parametrize(
    "engine_apps", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True)


def _cli(app, *args):
    """Run a command as `flask --app wsgi ...` does: in an app context of its own."""
    extra = [] if _is_sqlite(app) else ["--pg-bin", str(find_pg_bin())]
    with app.app_context():
        result = app.test_cli_runner().invoke(args=[*args, *extra])
        db.session.remove()
    return result


def _seed(app) -> tuple[int, list[int]]:
    with app.app_context():
        staff = make_staff(db.session)
        advocates = [make_advocate(db.session).id for _ in range(ADVOCATES)]
        db.session.commit()
        staff_id = staff.id
        db.session.remove()
    return staff_id, advocates


class Writer(threading.Thread):
    """Posts adjustments through the ledger service, one commit each, until stopped."""

    def __init__(self, app, staff_id: int, advocates: list[int]):
        super().__init__(daemon=True)
        self.app, self.staff_id, self.advocates = app, staff_id, advocates
        self.stop, self.committed, self.errors = threading.Event(), 0, []
        self.started_writing = threading.Event()

    def run(self):
        with self.app.app_context():
            try:
                while not self.stop.is_set():
                    ledger.adjust(db.session, advocate_id=self.advocates[self.committed % ADVOCATES],
                                  amount=5 + self.committed % 7, note="load", actor_id=self.staff_id,
                                  request_key=uuid.uuid4().hex, now=clock.utcnow())
                    db.session.commit()
                    self.committed += 1
                    if self.committed >= 30:
                        self.started_writing.set()
            except Exception as error:  # noqa: BLE001 (reported by the test)
                self.errors.append(error)
                self.started_writing.set()
            finally:
                db.session.remove()


def _rows(app) -> dict[str, list[tuple]]:
    """Every row of every table, sorted, from the app's database."""
    with app.app_context():
        with db.engine.connect() as conn:
            names = sa.inspect(conn).get_table_names()
            rows = {name: sorted(conn.execute(sa.select(sa.text("*")).select_from(sa.table(name))).all(),
                                 key=repr) for name in names}
        db.engine.dispose()
    return rows


@ENGINES
def test_backup_under_writes_restores_every_row_and_verifies(engine_apps, tmp_path):
    source = engine_apps()
    staff_id, advocates = _seed(source)
    writer = Writer(source, staff_id, advocates)
    writer.start()
    assert writer.started_writing.wait(60)
    path = tmp_path / "rallypoint.backup"
    before = writer.committed
    result = _cli(source, "backup", str(path))
    during = writer.committed
    writer.stop.set()
    writer.join(60)

    assert writer.errors == [] and result.exit_code == 0, (writer.errors, result.output)
    assert "Backup written" in result.output and f"{path.stat().st_size:,} bytes" in result.output
    written = int(result.output.split(" ledger entries")[0].split()[-1].replace(",", ""))
    assert during > before and before <= written <= during + 1  # taken while the writes went on
    target = engine_apps()
    restored = _cli(target, "restore", str(path))

    assert restored.exit_code == 0, restored.output
    assert "OK: every cached total equals the ledger." in restored.output
    assert f"holds {written:,} ledger entries and {ADVOCATES:,} advocates" in restored.output
    with target.app_context():
        assert ledger.verify(db.session) == []
        db.session.remove()
    copy = _rows(target)
    assert len(copy["ledger_entry"]) == written and len(copy["advocate"]) == ADVOCATES
    assert {name: len(rows) for name, rows in copy.items()} == _backup_counts(source, path)
    if _is_sqlite(source):
        with sqlite3.connect(path) as conn:  # the backup file itself, row for row
            for name, rows in copy.items():
                assert sorted(conn.execute(f'SELECT * FROM "{name}"').fetchall(), key=repr) == [  # noqa: S608
                    tuple(row) for row in rows], name
    last = max(row[0] for row in copy["ledger_entry"])
    assert copy["ledger_entry"] == [row for row in _rows(source)["ledger_entry"] if row[0] <= last]


def _is_sqlite(app) -> bool:
    return app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite")


def _backup_counts(app, path) -> dict[str, int]:
    """Rows per table in the backup file (on PostgreSQL: the COPY blocks of the dump's data)."""
    if _is_sqlite(app):
        with sqlite3.connect(path) as conn:
            names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
            return {name: conn.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0]  # noqa: S608
                    for name in names}
    script = subprocess.run([str(find_pg_bin() / "pg_restore"), "--data-only", "--file=-", str(path)],
                            capture_output=True, text=True, check=True).stdout
    blocks = re.findall(r"^COPY public\.(\w+) .*? FROM stdin;\n(.*?)^\\\.$", script, re.M | re.S)
    return {name: body.count("\n") for name, body in blocks}


@ENGINES
def test_backup_refuses_an_existing_file_unless_forced(engine_apps, tmp_path):
    app = engine_apps()
    path = tmp_path / "taken.backup"
    path.write_text("keep me")

    refused = _cli(app, "backup", str(path))
    assert refused.exit_code != 0 and "already exists" in refused.output and "--force" in refused.output
    assert path.read_text() == "keep me"

    forced = _cli(app, "backup", str(path), "--force")
    assert forced.exit_code == 0, forced.output
    assert path.stat().st_size > 1000 and list(tmp_path.glob(".taken.backup.*")) == []
    assert path.stat().st_mode & 0o077 == 0  # personal data: readable by its owner only


@ENGINES
def test_restore_refuses_a_target_with_data_unless_forced(engine_apps, tmp_path):
    source = engine_apps()
    _seed(source)
    path = tmp_path / "one.backup"
    assert _cli(source, "backup", str(path)).exit_code == 0
    with source.app_context():
        make_advocate(db.session)  # the source now differs from the backup
        db.session.commit()
        db.session.remove()

    refused = _cli(source, "restore", str(path))
    assert refused.exit_code != 0, refused.output
    assert "not empty" in refused.output and f"advocate {ADVOCATES + 1} rows" in refused.output
    assert len(_rows(source)["advocate"]) == ADVOCATES + 1

    forced = _cli(source, "restore", str(path), "--force")
    assert forced.exit_code == 0, forced.output
    assert "OK: every cached total" in forced.output and len(_rows(source)["advocate"]) == ADVOCATES


def _sqlite_backup(tmp_path, app, name="b.db"):
    path = tmp_path / name
    result = _cli(app, "backup", str(path))
    assert result.exit_code == 0, result.output
    return path


def test_restore_refuses_a_newer_revision(app_factory, tmp_path):
    path = _sqlite_backup(tmp_path, app_factory())
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE alembic_version SET version_num = 'ffff00000000'")
    target = app_factory()

    result = _cli(target, "restore", str(path))

    assert result.exit_code != 0
    assert "ffff00000000" in result.output and "newer Rallypoint" in result.output
    with target.app_context():
        assert backups.holdings(db.engine) == {}
        assert db.session.scalar(sa.text("SELECT version_num FROM alembic_version")) != "ffff00000000"
        db.session.remove()


def test_restore_refuses_files_that_are_not_rallypoint_databases(app_factory, tmp_path):
    target = app_factory()
    junk, bare, missing = tmp_path / "junk.db", tmp_path / "bare.db", tmp_path / "missing.db"
    junk.write_bytes(b"not a database at all" * 100)
    sqlite3.connect(bare).execute("CREATE TABLE other (id INTEGER)").connection.close()

    for path, reason in ((junk, "is not a SQLite database"), (bare, "is not a Rallypoint database"),
                         (missing, "does not exist")):
        result = _cli(target, "restore", str(path))
        assert result.exit_code != 0 and reason in result.output, result.output
    with target.app_context():
        assert "advocate" in sa.inspect(db.engine).get_table_names()
        db.session.remove()


def test_restore_of_an_older_revision_upgrades_it(template_db, app_factory, tmp_path):
    from alembic.script import ScriptDirectory
    from flask_migrate import upgrade

    script = ScriptDirectory(str(backups.MIGRATIONS_DIR))
    previous = script.get_revision(script.get_current_head()).down_revision
    old = tmp_path / "old.db"
    old_app = create_app(make_config(f"sqlite:///{old}", str(tmp_path / "uploads")))
    with old_app.app_context():
        upgrade(revision=previous)
        db.engine.dispose()
    target = app_factory()

    result = _cli(target, "restore", str(old))

    assert result.exit_code == 0, result.output
    assert f"Restored {old} (Alembic revision {previous})" in result.output and "upgrading" in result.output
    with target.app_context():
        revision = db.session.scalar(sa.text("SELECT version_num FROM alembic_version"))
        assert revision == script.get_current_head()
        db.session.remove()


def test_a_failed_backup_leaves_no_file(app_factory, tmp_path, monkeypatch):
    app = app_factory()

    def broken(*_args, **_kwargs):
        raise backups.BackupError("disk full")

    monkeypatch.setattr(backups, "read_sqlite", broken)
    result = _cli(app, "backup", str(tmp_path / "b.db"))

    assert result.exit_code != 0 and "disk full" in result.output
    assert not (tmp_path / "b.db").exists() and list(tmp_path.glob(".b.db.*")) == []


@pytest.mark.postgres
def test_postgres_refusals(pg_url, tmp_path):
    app = create_app(make_config(pg_url, str(tmp_path / "uploads")))
    junk = tmp_path / "junk.dump"
    junk.write_bytes(b"PGDMP but not really")
    runner = app.test_cli_runner()

    with app.app_context():
        no_binaries = runner.invoke(args=["backup", str(tmp_path / "b.dump"), "--pg-bin", str(tmp_path)])
        not_a_dump = runner.invoke(args=["restore", str(junk), "--pg-bin", str(find_pg_bin())])
    assert no_binaries.exit_code != 0 and "is not an executable pg_dump" in no_binaries.output
    assert not_a_dump.exit_code != 0 and "is it a pg_dump --format=custom file?" in not_a_dump.output
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.mark.postgres
def test_postgres_password_goes_by_environment_never_the_command_line(pg_url, tmp_path, monkeypatch):
    from sqlalchemy.engine import make_url

    from app.services.operations import pg_backups

    url = make_url(pg_url).set(password="s3cret-pw").render_as_string(hide_password=False)
    app = create_app(make_config(url, str(tmp_path / "uploads")))  # the test cluster trusts, ignoring it
    calls = []
    real_run = subprocess.run

    def recording(command, **kwargs):
        calls.append((command, kwargs["env"]))
        return real_run(command, **kwargs)

    monkeypatch.setattr(pg_backups.subprocess, "run", recording)
    result = _cli(app, "backup", str(tmp_path / "b.dump"))

    assert result.exit_code == 0, result.output
    assert [command[0].rsplit("/", 1)[-1] for command, _ in calls] == ["pg_dump"]
    for command, env in calls:
        assert not any("s3cret-pw" in part for part in command)
        assert env["PGPASSWORD"] == "s3cret-pw" and env["PGDATABASE"] == make_url(pg_url).database
    with app.app_context():
        db.engine.dispose()
