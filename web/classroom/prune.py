"""Old classes go: classes (and their drawings) started more than CLASS_RETENTION_DAYS days ago are
pruned by the app itself, at most once every CLASS_PRUNE_INTERVAL seconds (an hour) across every
process and server on the database (the database decides which one: Store.prune_if_due), and on
demand by `flask --app app classes prune [--older-than DAYS]`. No cron needed."""

import time

import click
from flask import current_app
from flask.cli import AppGroup

from classroom.store import Unavailable
from web.class_store import store

DAY = 24 * 3600
ASK_EVERY = 60  # seconds: how often a process asks the database whether a prune is due

classes = AppGroup("classes", help="Manage the classroom's database.")


def prune_now_and_then() -> None:
    """Before a classroom request: prune if this process has not asked for a minute and no process
    pruned within CLASS_PRUNE_INTERVAL. A database that fails here is logged; the request goes on.
    CLASS_RETENTION_DAYS of 0 keeps every class."""
    config, checked = current_app.config, current_app.extensions.get("classroom_prune_asked")
    if not config["CLASS_RETENTION_DAYS"] or (checked and time.monotonic() - checked < ASK_EVERY):
        return
    current_app.extensions["classroom_prune_asked"] = time.monotonic()
    try:
        deleted = store().prune_if_due(config["CLASS_RETENTION_DAYS"] * DAY, config["CLASS_PRUNE_INTERVAL"])
    except Unavailable as exc:
        current_app.logger.warning("old classes not pruned: %s", exc)
        return
    if deleted is not None:
        current_app.logger.info("pruned %d classes older than %g days", deleted, config["CLASS_RETENTION_DAYS"])


@classes.command("prune")
@click.option("--older-than", type=float, metavar="DAYS", help="default: CLASS_RETENTION_DAYS (30)")
def prune(older_than: float | None) -> None:
    """Delete classes started more than DAYS days ago."""
    days = current_app.config["CLASS_RETENTION_DAYS"] if older_than is None else older_than
    if older_than is None and not days:
        raise click.UsageError("CLASS_RETENTION_DAYS is 0 (keep every class): give --older-than DAYS")
    if days < 0:
        raise click.BadParameter("must not be negative", param_hint="--older-than")
    try:
        deleted = store().prune(days * DAY)
    except Unavailable as exc:
        click.echo(f"error: the database cannot be written: {exc}", err=True)
        raise SystemExit(1) from exc
    click.echo(f"deleted {deleted} class{'es' if deleted != 1 else ''} started more than {days:g} days ago")
