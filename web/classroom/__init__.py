"""Classroom mode: a lecturer starts a class (lecturer.py), students draw on their phones and send
their drawings (students.py: pages and JSON API), the board shows it all. Who is asking is
access.py's, the join address and its QR code join_address.py's, the answers to errors errors.py's,
the `flask classes prune` command cli.py's. The database is classroom.store's, reached through
web.class_store."""

from pathlib import Path

from flask import Flask

from web.classroom import cli
from web.classroom.access import instance_secret
from web.classroom.lecturer import lecturer
from web.classroom.students import api
from web.classroom.students import students


def init_app(app: Flask) -> None:
    """The signing key (unless given), the blueprints, their error answers and the command line."""
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = instance_secret(Path(app.instance_path))
    for blueprint in (lecturer, students, api):
        app.register_blueprint(blueprint)
    app.cli.add_command(cli.classes)
