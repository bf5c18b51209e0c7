"""Who may start a class, and how fast a client may guess: the lecturer's password
(LECTURER_PASSWORD, when set), wrong passwords limited per device and per client address, lookups
of class codes that do not exist limited per client address. Every count is a row in the database
(classroom.store's attempts), so a limit holds across worker processes and app servers.

A client address is request.remote_addr: behind a reverse proxy, the real client's once the proxy is
trusted (--trusted-proxies), never the proxy's.
"""

import hmac
import time

from flask import current_app
from flask import request
from flask import session
from werkzeug.exceptions import Forbidden
from werkzeug.exceptions import TooManyRequests

from classroom.store import normal_code
from web.class_store import store
from web.classroom.access import device_id
from web.i18n import gettext as _

PASSWORD, LOOKUP = "password", "lookup"  # the kinds of attempts counted
ADDRESS_TRIES = 4  # an address may try 4 times as many wrong passwords as a device (a cookie: easily dropped)
KNOWN_KEPT = 20  # the session remembers this many class codes the browser reached


def password_required() -> bool:
    return bool(current_app.config["LECTURER_PASSWORD"])


def check_password(given: str) -> None:
    """Nothing when the lecturer's password is right or none is set. Forbidden (403) when it is
    wrong, and that try is counted; TooManyRequests (429) after LECTURER_PASSWORD_TRIES wrong ones
    from this device, or ADDRESS_TRIES times as many from its address, in LECTURER_PASSWORD_SECONDS:
    then even the right one waits, or guessing would go on. Compared in constant time."""
    config = current_app.config
    if not password_required():
        return
    tries, seconds, now = config["LECTURER_PASSWORD_TRIES"], config["LECTURER_PASSWORD_SECONDS"], time.time()
    device, address = device_id(), request.remote_addr or ""
    if (
        store().attempts_since(PASSWORD, device, now - seconds) >= tries
        or store().attempts_since(PASSWORD, address, now - seconds) >= tries * ADDRESS_TRIES
    ):
        message = _("Too many wrong passwords from this device: wait a few minutes, then try again.")
        raise TooManyRequests(message, retry_after=round(seconds))
    if not hmac.compare_digest(given.encode(), str(config["LECTURER_PASSWORD"]).encode()):
        store().add_attempt(PASSWORD, device, address, now=now)
        raise Forbidden(_("That is not the lecturer's password. Ask whoever runs this server for it."))


def code_asked() -> str | None:
    """The class code a classroom request names: in its path, or the Join page's field."""
    code = (request.view_args or {}).get("code")
    if code is None and request.endpoint == "students.index":
        code = request.args.get("code")
    return normal_code(code) if code else None


def limit_unknown_codes() -> None:
    """Before every classroom request: a client address that asked for CLASS_LOOKUP_MISSES codes
    that do not exist in CLASS_LOOKUP_SECONDS gets 429 for any code this browser has not reached
    before, without a look: a scanner learns nothing more. A code that exists is remembered in the
    browser's signed session, and from then on asked with no count at all (no query either), so a
    whole class behind one address, polling its board and sending drawings, is never slowed."""
    code = code_asked()
    known = session.get("known", [])
    if not code or code in known or code in session.get("classes", {}):
        return
    config, address, now = current_app.config, request.remote_addr or "", time.time()
    if store().attempts_since(LOOKUP, address, now - config["CLASS_LOOKUP_SECONDS"]) >= config["CLASS_LOOKUP_MISSES"]:
        message = _(
            "Too many class codes that do not exist were asked from this connection: check the code, and wait a minute."
        )
        raise TooManyRequests(message, retry_after=round(config["CLASS_LOOKUP_SECONDS"]))
    if store().find_class(code) is None:
        store().add_attempt(LOOKUP, address, now=now)  # the view answers 404 itself
    else:
        session["known"] = [c for c in known if c != code][-(KNOWN_KEPT - 1) :] + [code]
