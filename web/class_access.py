"""Where the classes are and who is asking: the Store of this process, the session signing key
kept in the instance folder, the lecturer's secret in the signed session, a device's cookie id."""

import os
import secrets
import time
from pathlib import Path

from flask import Flask
from flask import abort
from flask import current_app
from flask import g
from flask import request
from flask import session

from classroom.store import Class
from classroom.store import Limits
from classroom.store import Store
from web.i18n import gettext as _

DEVICE_COOKIE = "device"
SECRET_FILE = "secret_key"
SQLITE_FILE = "classes.sqlite3"
OWNED_CLASSES_KEPT = 20  # the session (a cookie) remembers the secrets of this many classes


def instance_secret(folder: Path) -> str:
    """The session signing key kept in the instance folder (never in the repository), made on
    first use; worker processes starting together all end up with the one that was written first."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / SECRET_FILE
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        for _attempt in range(50):  # another process may be writing it this very moment
            key = path.read_text().strip()
            if key:
                return key
            time.sleep(0.02)
        raise RuntimeError(f"{path} is empty; delete it to make a new key") from None
    key = secrets.token_hex(32)
    with os.fdopen(descriptor, "w") as out:
        out.write(key + "\n")
    return key


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
        extensions["classroom_store"] = Store(database_url(current_app))
    return extensions["classroom_store"]


def limits() -> Limits:
    config = current_app.config
    return Limits(config["CLASS_MAX_DRAWINGS"], config["CLASS_RATE_COUNT"], config["CLASS_RATE_SECONDS"])


def owner_secret(code: str) -> str | None:
    return session.get("classes", {}).get(code)


def is_owner(cls: Class) -> bool:
    return cls.owned_by(owner_secret(cls.code))


def remember_owner(code: str, secret: str) -> None:
    owned = dict(session.get("classes", {}))
    owned[code] = secret
    session["classes"] = dict(list(owned.items())[-OWNED_CLASSES_KEPT:])
    session.permanent = True  # survives closing the browser, for the next lecture's export


def device_id() -> str:
    """The device's id from its cookie; a new one (set on the response) for a first visit."""
    if "device" not in g:
        known = request.cookies.get(DEVICE_COOKIE, "")
        g.device = known if 16 <= len(known) <= 64 and known.isalnum() else secrets.token_hex(16)
        g.new_device = g.device != known
    return g.device


def with_device(response):
    """Hand a new device its id: the rate limit counts per device, never per network address."""
    if g.get("new_device"):
        response.set_cookie(DEVICE_COOKIE, g.device, max_age=365 * 24 * 3600, httponly=True, samesite="Lax")
    return response


def find_or_404(code: str) -> Class:
    cls = store().find_class(code)
    if cls is None:
        abort(404)
    return cls


def owned_or_403(code: str) -> Class:
    cls = find_or_404(code)
    if not is_owner(cls):
        abort(403)
    return cls


def unavailable_message() -> str:
    return _("The class database cannot be reached or written right now; try again in a moment.")
