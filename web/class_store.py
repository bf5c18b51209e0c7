"""The classroom's store as every feature reaches it: this process's Store, whether the browser
asking started a class (its secret in the signed session), and one class drawing with its stored
input. The classroom feature writes through it; the inside page reads a class drawing through it."""

from pathlib import Path

from flask import Flask
from flask import current_app
from flask import session

from classroom.store import Class
from classroom.store import Drawing
from classroom.store import Store
from classroom.store import Unavailable
from web.i18n import gettext as _

SQLITE_FILE = "classes.sqlite3"


def database_url(app: Flask) -> str:
    """DATABASE_URL (DIGITS_DATABASE_URL), else a SQLite file in the instance folder."""
    url = app.config.get("DATABASE_URL")
    if url:
        return url
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{Path(app.instance_path) / SQLITE_FILE}"


def store() -> Store:
    """This process's Store, made on first use (so no connection is open before a fork)."""
    extensions = current_app.extensions
    if "classroom_store" not in extensions:
        extensions["classroom_store"] = Store(database_url(current_app), current_app.config["DATABASE_TIMEOUT"])
    return extensions["classroom_store"]


def owner_secret(code: str) -> str | None:
    return session.get("classes", {}).get(code)


def is_owner(cls: Class) -> bool:
    return cls.owned_by(owner_secret(cls.code))


def unavailable_message() -> str:
    return _("The class database cannot be reached or written right now; try again in a moment.")


def class_drawing(code: str, drawing_id: int) -> Drawing:
    """A class's drawing with its stored 28x28 input (what the network read for the board); a
    hidden one only for the lecturer. LookupError with the message when there is none."""
    try:
        cls = store().find_class(code)
        drawing = store().drawing(cls.id, drawing_id) if cls else None
    except Unavailable as exc:
        raise LookupError(unavailable_message()) from exc
    if drawing is None or (drawing.hidden and not is_owner(cls)):
        raise LookupError(_("There is no such drawing in this class."))
    return drawing
