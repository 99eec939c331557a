"""Thin operational commands: each opens a transaction and calls a service."""

import click
from flask import current_app, url_for

from app.extensions import db
from app.models import StaffRole
from app.services import accounts, clock, ledger


def init_app(app) -> None:
    app.cli.add_command(seed_group)
    app.cli.add_command(points_group)
    app.cli.add_command(staff_group)


@click.group("seed", help="Load data.")
def seed_group():
    pass


@seed_group.command("demo", help="Load the demo program (only into an empty database).")
@click.option("--advocates", default=200, show_default=True, help="How many demo advocates.")
def seed_demo(advocates: int):
    from seeds import demo_logins, load

    loaded = load(db.session, advocates=advocates, now=clock.utcnow())
    if loaded is None:
        db.session.rollback()
        logins = demo_logins(db.session)
        if logins is None:
            click.echo("The database already has data; demo not loaded.")
        else:
            click.echo(f"Demo already loaded.\n\n{logins}")
        return
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
def staff_invite(email: str, name: str, role: str):
    from app.security import invite_token

    invite = accounts.invite_staff(db.session, email=email, name=name, role=StaffRole(role),
                                   invited_by=None, now=clock.utcnow(),
                                   valid_days=current_app.config["INVITE_MAX_AGE_DAYS"])
    db.session.commit()
    with current_app.test_request_context():
        link = url_for("public.accept_invite", token=invite_token(invite), _external=True)
    click.echo(f"Invitation for {email} ({role}): {link}")
