"""`flask --app app classes prune --older-than DAYS`: delete classes (and their drawings) started
more than DAYS days ago, in the database the app uses (DIGITS_DATABASE_URL or the instance folder's
SQLite file)."""

import click
from flask import current_app
from flask.cli import AppGroup

from classroom.store import Unavailable
from web.class_store import store

classes = AppGroup("classes", help="Manage the classroom's database.")


@classes.command("prune")
@click.option("--older-than", type=float, metavar="DAYS", help="default: CLASS_PRUNE_DAYS (30)")
def prune(older_than: float | None) -> None:
    """Delete classes started more than DAYS days ago."""
    days = current_app.config["CLASS_PRUNE_DAYS"] if older_than is None else older_than
    if days < 0:
        raise click.BadParameter("must not be negative", param_hint="--older-than")
    try:
        deleted = store().prune(days * 24 * 3600)
    except Unavailable as exc:
        click.echo(f"error: the database cannot be written: {exc}", err=True)
        raise SystemExit(1) from exc
    click.echo(f"deleted {deleted} class{'es' if deleted != 1 else ''} started more than {days:g} days ago")
