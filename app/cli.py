"""Thin operational commands: each opens a transaction and calls a service."""

import os
import sys
from datetime import datetime, timedelta
from pathlib import Path

import click
from flask import current_app, url_for

from app.cli_badges import badges_group
from app.extensions import db
from app.models import ApiScope, StaffRole
from app.services import clock, community, customers
from app.services.api import keys as api_keys
from app.services.errors import DomainError
from app.services.people import accounts
from app.services.periods import to_utc
from app.services.points import ledger
from app.services.program import settings as settings_service


def init_app(app) -> None:
    app.cli.add_command(setup_command)
    app.cli.add_command(seed_group)
    app.cli.add_command(points_group)
    app.cli.add_command(staff_group)
    app.cli.add_command(scheduler_group)
    app.cli.add_command(import_group)
    app.cli.add_command(api_keys_group)
    app.cli.add_command(embeds_group)
    app.cli.add_command(badges_group)
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)


OPTION_OF = {"admin_email": "--admin-email", "name": "--name", "program_name": "--program-name"}


@click.command("setup", help="Start a production program on an empty database: the default catalog, "
                             "reward tiers and starter missions, and the first admin's invitation. "
                             "Run again: changes nothing (exit 0); on a database it did not set up: exit 1.")
@click.option("--admin-email", required=True, help="The first admin's email.")
@click.option("--name", required=True, help="The first admin's name.")
@click.option("--program-name", default=None, help="The program's name (default: Rallypoint; a setting).")
@click.option("--url", "base_url", default=None, metavar="URL",
              help="The site's public address for the invitation link, e.g. https://advocates.example.com.")
def setup_command(admin_email: str, name: str, program_name: str | None, base_url: str | None):
    from app.services.operations import setup as program_setup

    try:
        result = program_setup.set_up(db.session, admin_email=admin_email, admin_name=name,
                                      program_name=program_name, now=clock.utcnow(),
                                      valid_days=current_app.config["INVITE_MAX_AGE_DAYS"])
    except DomainError as error:
        db.session.rollback()
        if error.field in OPTION_OF:
            raise click.BadParameter(error.message, param_hint=OPTION_OF[error.field]) from None
        raise click.ClickException(error.message) from None
    if not result.created:
        db.session.rollback()
        waiting = ("has accepted their invitation" if result.admin_joined else
                   f"has not accepted yet; `flask --app wsgi staff invite {result.admin_email} --name NAME "
                   "--url URL` makes a new link")
        click.echo(f"Already set up on {result.set_up_at:%d %b %Y %H:%M} UTC; nothing changed. "
                   f"The first admin, {result.admin_email}, {waiting}.")
        return
    db.session.commit()
    c = result.counts
    click.echo(f"Program set up: {c['activities']} activities, {c['reward tiers']} reward tiers and "
               f"{c['missions']} starter missions (open for a year; edit them under Missions).")
    click.echo(f"Invitation for the first admin, {result.admin_email} (valid "
               f"{current_app.config['INVITE_MAX_AGE_DAYS']} days): {_invite_link(result.invite, base_url)}")
    if base_url is None:
        click.echo("(No --url given: put your site's address in place of the link's host; the /invite/… "
                   "part stays.)")


def _invite_link(invite, base_url: str | None) -> str:
    from app.security import invite_token

    with current_app.test_request_context(base_url=base_url):
        return url_for("public.accept_invite", token=invite_token(invite), _external=True)


@click.group("seed", help="Load data.")
def seed_group():
    pass


@seed_group.command("demo", help="Load the demo program (only into an empty database).")
@click.option("--advocates", default=200, show_default=True, help="How many demo advocates.")
def seed_demo(advocates: int):
    from seeds import demo_logins, load
    from seeds.pictures import load_pictures

    if not current_app.config["DEMO_ALLOWED"]:
        raise click.ClickException("The demo never loads in production (RALLYPOINT_ENV=production): its "
                                   "200 accounts share a published password. Start a program with "
                                   "`flask setup` instead.")
    loaded = load(db.session, advocates=advocates, now=clock.utcnow())
    if loaded is None:
        db.session.rollback()
        logins = demo_logins(db.session)
        if logins is None:
            click.echo("The database already has data; demo not loaded.")
        else:
            click.echo(f"Demo already loaded.\n\n{logins}")
        return
    load_pictures(db.session, upload_root=current_app.config["UPLOAD_FOLDER"])
    db.session.commit()
    click.echo(loaded.describe())


@click.group("points", help="Points ledger checks.")
def points_group():
    pass


@points_group.command("verify", help="Prove cached balances, lifetime totals and buckets equal the ledger.")
def points_verify():
    problems = ledger.verify(db.session)
    db.session.rollback()
    for p in problems[:50]:
        click.echo(f"advocate {p.advocate_id} {p.field}: cached {p.cached}, ledger {p.actual}")
    if problems:
        raise click.ClickException(f"{len(problems)} discrepancies found.")
    click.echo("OK: every cached total equals the ledger.")


@click.group("staff", help="Staff accounts.")
def staff_group():
    pass


@staff_group.command("invite", help="Invite a staff member and print their invitation link.")
@click.argument("email")
@click.option("--name", required=True)
@click.option("--role", type=click.Choice([r.value for r in StaffRole]), default="admin", show_default=True)
@click.option("--url", "base_url", default=None, metavar="URL",
              help="The site's public address for the link, e.g. https://advocates.example.com.")
def staff_invite(email: str, name: str, role: str, base_url: str | None):
    invite = accounts.invite_staff(db.session, email=email, name=name, role=StaffRole(role),
                                   invited_by=None, now=clock.utcnow(),
                                   valid_days=current_app.config["INVITE_MAX_AGE_DAYS"])
    db.session.commit()
    click.echo(f"Invitation for {email} ({role}): {_invite_link(invite, base_url)}")


@click.group("scheduler", help="Scheduled jobs: run the scheduler, or one job now.")
def scheduler_group():
    pass


@scheduler_group.command("run", help="Run the scheduler in this process until stopped (Ctrl+C or SIGTERM "
                                      "release its leases at once and mark its unfinished runs stopped).")
def scheduler_run():
    from app.jobs.runner import serve

    app = current_app._get_current_object()
    background = app.extensions.pop("scheduler", None)
    if background is not None:
        background.shutdown(wait=False)
    runs, leases = serve(app, echo=click.echo)
    click.echo(f"Scheduler stopped: {leases} leases released, {runs} unfinished runs marked stopped.")
    if runs:
        # Job threads are still inside those runs: end them with the process rather than wait.
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(0)


@scheduler_group.command("run-once", help="Run one job now (under its lease) and print items touched.")
@click.argument("name")
def scheduler_run_once(name: str):
    from app.jobs import registry
    from app.jobs.runner import find, run_once

    job = find(name)
    if job is None:
        names = ", ".join(j.name for j in registry())
        raise click.ClickException(f"Unknown job {name!r}. Jobs: {names}.")
    outcome = run_once(current_app._get_current_object(), job)
    if not outcome.ran:
        raise click.ClickException(f"{name}: another scheduler holds the lease; nothing done.")
    if outcome.error:
        raise click.ClickException(f"{name} failed: {outcome.error}")
    click.echo(f"{name}: {outcome.items} items touched in {outcome.duration_ms} ms.")


@click.group("import", help="Import data.")
def import_group():
    pass


@import_group.command("customers", help="Upsert customer records from a CSV file and print the report; "
                                        "exits non-zero when any row was rejected.")
@click.argument("file", type=click.File("rb"))
@click.option("--map", "maps", multiple=True, metavar="COLUMN=FIELD",
              help="Read the file's COLUMN as FIELD, e.g. --map \"E-mail=email\" (repeatable).")
@click.option("--ignore", multiple=True, metavar="COLUMN", help="Leave this column out (repeatable).")
@click.option("--rejections", type=click.File("w", encoding="utf-8"), metavar="PATH",
              help="Write every rejected row (line, record, reason) to this CSV file.")
@click.option("--progress/--no-progress", default=True, show_default=True,
              help="Show a progress bar (by bytes read) when the output is a terminal.")
def import_customers(file, maps, ignore, rejections, progress):
    if not file.seekable():
        raise click.UsageError("FILE must be a regular file, not a pipe.")
    given = _column_options(maps, ignore)
    size = os.fstat(file.fileno()).st_size
    hidden = not (progress and _is_terminal())
    with click.progressbar(length=size, label="Importing", hidden=hidden, file=sys.stderr) as bar:
        report = customers.import_file(db.session, stream=file, now=clock.utcnow(), given=given,
                                       progress=bar.update, commit=db.session.commit,
                                       rejections=rejections, keep=customers.KEEP_REJECTED)
    db.session.commit()
    for row in report.rejected:
        click.echo(f"line {row.line}: {row.key + ': ' if row.key else ''}{row.reason}")
    if report.more_rejected:
        click.echo(f"… and {report.more_rejected:,} more rejected rows"
                   f"{'' if rejections else ' (use --rejections PATH to write them all)'}.")
    click.echo(report.summary())
    if report.rejected_count:
        raise click.exceptions.Exit(1)


def _is_terminal() -> bool:
    return sys.stderr.isatty()


def _column_options(maps: tuple[str, ...], ignore: tuple[str, ...]) -> dict[str, str | None]:
    given: dict[str, str | None] = {name: None for name in ignore}
    for option in maps:
        column, sep, field = option.rpartition("=")
        if not sep or not column.strip() or field.strip().lower() not in customers.COLUMNS:
            fields = ", ".join(customers.COLUMNS)
            raise click.BadParameter(f"{option!r}: give COLUMN=FIELD, FIELD one of {fields}.",
                                     param_hint="--map")
        given[column.strip()] = field.strip().lower()
    return given


@click.group("api-keys", help="API keys (the same as Admin → API keys).")
def api_keys_group():
    pass


def _committed(call, **kwargs):
    """One service call on the session, committed; a DomainError rolls back and is the command's error."""
    try:
        result = call(db.session, **kwargs)
    except DomainError as error:
        db.session.rollback()
        raise click.ClickException(error.message) from None
    db.session.commit()
    return result


@api_keys_group.command("create", help="Make an API key and print its secret, once.")
@click.option("--name", required=True, help="The system that uses it, e.g. CRM sync.")
@click.option("--scope", required=True, type=click.Choice([s.value for s in ApiScope]),
              help="read: lists and lookups; write: read, plus every write.")
def api_keys_create(name: str, scope: str):
    made = _committed(api_keys.create_key, name=name, scope=ApiScope(scope), created_by=None,
                      now=clock.utcnow())
    click.echo(f"API key “{made.key.name}” ({scope}). Store it now; it is not shown again:")
    click.echo(made.secret)


@api_keys_group.command("revoke", help="Revoke the live API key with this name; it answers 401 from now on.")
@click.argument("name")
def api_keys_revoke(name: str):
    key = _committed(api_keys.revoke_key_named, name=name, now=clock.utcnow())
    click.echo(f"API key “{key.name}” revoked.")


@click.group("embeds", help="Embedded leaderboards and community feeds (the same as Program → Embeds).")
def embeds_group():
    pass


def _expiry(text: str | None):
    """--expires as stored UTC: a local YYYY-MM-DDTHH:MM, or a date meaning the end of that day."""
    if text is None:
        return None
    try:
        local = datetime.strptime(text, "%Y-%m-%dT%H:%M")
    except ValueError:
        try:
            local = datetime.strptime(text, "%Y-%m-%d") + timedelta(days=1)
        except ValueError:
            raise click.BadParameter("use YYYY-MM-DD or YYYY-MM-DDTHH:MM.", param_hint="--expires") from None
    return to_utc(local, settings_service.load(db.session).timezone)


@embeds_group.command("create", help="Make an embedded leaderboard (or community feed) and print its URL.")
@click.option("--name", required=True, help="Where it is shown, e.g. Community site.")
@click.option("--period", required=True, type=click.Choice(["week", "month", "all-time"]))
@click.option("--what", default="leaderboard", show_default=True, type=click.Choice(["leaderboard", "feed"]),
              help="The leaderboard, or the community feed (its newest --rows items; --period is ignored).")
@click.option("--rows", default=10, show_default=True, type=click.IntRange(1, 100))
@click.option("--theme", default="light", show_default=True, type=click.Choice(["light", "dark"]))
@click.option("--names", default="full", show_default=True,
              type=click.Choice(["full", "first_initial", "company"]))
@click.option("--region", default=None)
@click.option("--industry", default=None)
@click.option("--origin", "origins", multiple=True, metavar="https://HOST",
              help="A site allowed to frame it or read its JSON (repeatable).")
@click.option("--url", "base_url", default=None, metavar="URL",
              help="The site's address, for the printed URL.")
@click.option("--expires", default=None, metavar="WHEN",
              help="In the program's timezone: YYYY-MM-DDTHH:MM, or a date (the end of that day).")
def embeds_create(name, period, what, rows, theme, names, region, industry, origins, base_url, expires):
    spec = community.EmbedSpec(name=name, period=period.replace("-", "_"), rows=rows, theme=theme,
                               names=names, region=region, industry=industry, origins=origins,
                               expires_at=_expiry(expires), what=what)
    embed = _committed(community.create_embed, spec=spec, created_by=None, now=clock.utcnow())
    token = community.token_for(embed, secret=current_app.config["SECRET_KEY"])
    base_url = base_url or current_app.config.get("PUBLIC_BASE_URL") or None
    with current_app.test_request_context(base_url=base_url):
        click.echo(url_for("community.embed", token=token, _external=True))
    if base_url is None:
        click.echo("(No --url or PUBLIC_BASE_URL: put your site's address in place of the host; the /embed/… "
                   "part stays.)", err=True)


@embeds_group.command("revoke", help="Revoke the embed with this name; its URL answers 404 from now on.")
@click.argument("name")
def embeds_revoke(name: str):
    embed = _committed(community.revoke_embed_named, name=name, now=clock.utcnow())
    click.echo(f"Embed “{embed.name}” revoked.")


PG_BIN_OPTION = click.option("--pg-bin", default=None, metavar="DIR",
                             help="PostgreSQL only: the directory of pg_dump/pg_restore (default: PATH).")


@click.command("backup", help="Back up the configured database to PATH while the app runs: SQLite's online "
                              "backup API, or pg_dump --format=custom on PostgreSQL.")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace PATH if it exists.")
@PG_BIN_OPTION
def backup_command(path: Path, force: bool, pg_bin: str | None):
    from app.services.operations import backups, pg_backups

    db.session.remove()
    try:
        if db.engine.dialect.name == "sqlite":
            result = backups.backup_sqlite(db.engine, path, force=force)
        else:
            result = pg_backups.backup_pg(db.engine, path, force=force, bin_dir=pg_bin)
    except DomainError as error:
        raise click.ClickException(error.message) from None
    click.echo(f"Backup written: {result.path} ({result.size:,} bytes): {result.snapshot.describe()}.")


@click.command("restore", help="Restore a backup made by `backup` into the configured (empty) database, "
                               "then check the ledger as `points verify` does. Stop the app first.")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace what the configured database holds.")
@PG_BIN_OPTION
def restore_command(path: Path, force: bool, pg_bin: str | None):
    from flask_migrate import upgrade

    from app.services.operations import backups, pg_backups

    db.session.remove()
    try:
        if db.engine.dialect.name == "sqlite":
            snapshot, revision = backups.restore_sqlite(db.engine, path, force=force)
        else:
            snapshot, revision = pg_backups.restore_pg(db.engine, path, force=force, bin_dir=pg_bin)
    except DomainError as error:
        raise click.ClickException(error.message) from None
    click.echo(f"Restored {path} (Alembic revision {revision.revision}).")
    if revision.older:
        click.echo(f"The backup is older than this code ({revision.head}); upgrading it (flask db upgrade).")
        upgrade()
    db.session.remove()
    _report_restored()


def _report_restored() -> None:
    from sqlalchemy import func, select

    from app.models import Advocate, LedgerEntry

    advocates = db.session.scalar(select(func.count()).select_from(Advocate))
    entries = db.session.scalar(select(func.count()).select_from(LedgerEntry))
    click.echo(f"The database now holds {entries:,} ledger entries and {advocates:,} advocates.")
    db.session.rollback()
    points_verify.callback()
