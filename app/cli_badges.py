"""`flask badges …`: operational commands of the verifiable badges (one transaction each)."""

import click

from app.extensions import db
from app.services import badges, clock


@click.group("badges", help="Verifiable status badges (Open Badges 2.0).")
def badges_group():
    pass


@badges_group.command("backfill", help="Issue the status badge of every member at Silver or above who holds "
                                       "none (reached before badges existed). Safe to run again.")
def badges_backfill():
    issued, held = badges.backfill(db.session, now=clock.utcnow())
    db.session.commit()
    click.echo(f"Badges issued: {issued:,}; already held: {held:,}.")
