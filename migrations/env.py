"""Alembic environment: runs inside the Flask app so it uses the app's engine and metadata."""

import logging
from contextlib import contextmanager
from logging.config import fileConfig

import sqlalchemy as sa
from alembic import context
from alembic.util import CommandError
from flask import current_app

config = context.config
fileConfig(config.config_file_name, disable_existing_loggers=False)
logger = logging.getLogger("alembic.env")

db = current_app.extensions["migrate"].db
database_url = db.engine.url.render_as_string(hide_password=False)
config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))


def run_migrations_offline():
    context.configure(url=config.get_main_option("sqlalchemy.url"), target_metadata=db.metadata,
                      literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def _tables_with_rows(connection) -> set[str]:
    names = sa.inspect(connection).get_table_names()
    return {name for name in names if name != "alembic_version" and connection.execute(
        sa.select(sa.literal(1)).select_from(sa.table(name)).limit(1)).first()}


@contextmanager
def _guard(connection, went_down: list[bool]):
    """Before the commit: SQLite's references all hold, and a downgrade that drops tables holding rows
    is refused (and rolled back) unless told -x force=1."""
    had_rows = _tables_with_rows(connection)
    yield
    _check_foreign_keys(connection)
    if not went_down or context.get_x_argument(as_dictionary=True).get("force") in ("1", "true", "yes"):
        return
    dropped = sorted(had_rows - set(sa.inspect(connection).get_table_names()))
    if dropped:
        raise CommandError(f"Refusing to downgrade: it would drop tables that hold rows "
                           f"({', '.join(dropped)}); nothing was changed. Back up first, then run "
                           "`flask db downgrade -x force=1 REVISION`.")


@contextmanager
def _sqlite_foreign_keys_off(connection):
    """Batch migrations recreate tables that others reference: with foreign keys on, SQLite's DROP TABLE
    of the old copy fails (or cascades). Turn them off around the run (a PRAGMA that only works outside
    a transaction); _check_foreign_keys checks every reference before the commit instead."""
    if connection.dialect.name != "sqlite":
        yield
        return
    raw = connection.connection.driver_connection
    raw.execute("PRAGMA foreign_keys = OFF")
    try:
        yield
    finally:
        raw.execute("PRAGMA foreign_keys = ON")


def _check_foreign_keys(connection) -> None:
    if connection.dialect.name != "sqlite":
        return
    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
    if broken:
        raise CommandError("The migration would leave broken foreign keys (table, rowid, parent): "
                           f"{broken[:5]}; nothing was changed.")


def run_migrations_online():
    def process_revision_directives(context, revision, directives):
        if getattr(config.cmd_opts, "autogenerate", False) and directives[0].upgrade_ops.is_empty():
            directives[:] = []
            logger.info("No changes in schema detected.")

    conf_args = dict(current_app.extensions["migrate"].configure_args)
    conf_args.setdefault("process_revision_directives", process_revision_directives)
    went_down = []
    conf_args["on_version_apply"] = lambda step, **_: None if step.is_upgrade else went_down.append(True)
    with db.engine.connect() as connection:
        # One transaction for the whole run on both engines (SQLite's DDL is transactional too): a step
        # that fails, or a refused downgrade, leaves the schema at the revision it started from.
        context.configure(connection=connection, target_metadata=db.metadata, transactional_ddl=True,
                          **conf_args)
        with _sqlite_foreign_keys_off(connection), context.begin_transaction(), \
                _guard(connection, went_down):
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
