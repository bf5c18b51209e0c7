"""Classroom mode: a lecturer starts a class (lecturer.py), students draw on their phones and send
their drawings (students.py: pages and JSON API), the board shows it all. Who is asking is
access.py's, the lecturer's password and the limits on guessing guard.py's, the join address and its
QR code join_address.py's, the answers to errors errors.py's, pruning old classes (by itself and by
`flask classes prune`) prune.py's. The database is classroom.store's, reached through
web.class_store."""

from pathlib import Path

from flask import Flask

from web.classroom import errors
from web.classroom import prune
from web.classroom.access import instance_secret
from web.classroom.guard import limit_unknown_codes
from web.classroom.lecturer import lecturer
from web.classroom.students import api
from web.classroom.students import students

BLUEPRINTS = (lecturer, students, api)
for blueprint in BLUEPRINTS:  # before any request of the classroom: now and then a prune, and no guessing of codes
    blueprint.before_request(prune.prune_now_and_then)
    blueprint.before_request(limit_unknown_codes)
    blueprint.register_error_handler(429, errors.too_many)


def init_app(app: Flask) -> None:
    """The signing key (unless given), the blueprints and the command line."""
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = instance_secret(Path(app.instance_path))
    for blueprint in BLUEPRINTS:
        app.register_blueprint(blueprint)
    app.cli.add_command(prune.classes)
