"""Who is asking, for the classroom's pages: the session signing key kept in the instance folder,
the lecturer's secret in the signed session, a device's cookie id. The Store itself, and whether a
browser owns a class, are web.class_store's (the inside page needs them too)."""

import os
import secrets
import time
from pathlib import Path

from flask import abort
from flask import current_app
from flask import g
from flask import request
from flask import session

from classroom.store import Class
from classroom.store import Limits
from web.class_store import is_owner
from web.class_store import store
from web.render import remember

DEVICE_COOKIE = "device"
SECRET_FILE = "secret_key"
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


def limits() -> Limits:
    config = current_app.config
    return Limits(config["CLASS_MAX_DRAWINGS"], config["CLASS_RATE_COUNT"], config["CLASS_RATE_SECONDS"])


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
        remember(response, DEVICE_COOKIE, g.device)
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
