"""Security headers on every response: pages, fragments, the API, static files and errors; and
what the app believes about a request that came through reverse proxies.

flask-talisman sets the Content-Security-Policy, X-Content-Type-Options, Referrer-Policy,
Permissions-Policy and X-Frame-Options (no HTTPS forcing: the app runs on plain http on a laptop,
and behind a proxy the proxy redirects http to https). Talisman has no Cross-Origin-Opener-Policy,
so one small after_request adds it, and one more adds Strict-Transport-Security to https answers:
Talisman's own HSTS would also believe an X-Forwarded-Proto header from anyone.

Behind reverse proxies (TRUSTED_PROXIES = N > 0, `--trusted-proxies N`), werkzeug's ProxyFix
takes the client's address, the scheme and the host from the last N proxies' X-Forwarded-For,
-Proto and -Host; with 0 (a laptop) those headers are never read, whoever sends them. Over https
(as the proxy says, or served so directly) the session cookie is Secure.

The policy allows only this origin's files: no inline script, no eval, no inline style. htmx 4
would adopt a stylesheet for its indicator classes; base.html turns that off with its htmx-config
meta tag (`includeIndicatorCSS: false`) and style.css carries the same rules. Templates carry no
`style="..."` attribute: sizes are SVG attributes, colours classes.
"""

from flask import Flask
from flask import Response
from flask import request
from flask.sessions import SecureCookieSessionInterface
from flask_talisman import Talisman
from werkzeug.middleware.proxy_fix import ProxyFix

SELF = "'self'"
CONTENT_SECURITY_POLICY = {
    "default-src": SELF,
    "script-src": SELF,
    "style-src": SELF,
    "img-src": [SELF, "data:"],  # the pages show PNGs as data: URIs (the 28 x 28 input, samples)
    "connect-src": SELF,
    "object-src": "'none'",
    "base-uri": SELF,
    "form-action": SELF,
    "frame-ancestors": "'none'",
}
PERMISSIONS_POLICY = {"camera": "()", "microphone": "()", "geolocation": "()"}
STRICT_TRANSPORT_SECURITY = "max-age=31536000"  # a year; not includeSubDomains: the app knows only its own host


def static_file_headers(headers) -> None:
    """The same headers for the static files WhiteNoise serves (web/static_files.py), which Flask
    never sees: made once per file at start, so no HSTS (a page's answer sets it for the host)."""
    policy = {
        name: " ".join(value) if isinstance(value, list) else value for name, value in CONTENT_SECURITY_POLICY.items()
    }
    headers["Content-Security-Policy"] = "; ".join(f"{name} {value}" for name, value in policy.items())
    headers["X-Content-Type-Options"] = "nosniff"
    headers["Referrer-Policy"] = "no-referrer"
    headers["Permissions-Policy"] = ", ".join(f"{name}={value}" for name, value in PERMISSIONS_POLICY.items())
    headers["X-Frame-Options"] = "DENY"
    headers["Cross-Origin-Opener-Policy"] = "same-origin"


def cross_origin_opener_policy(response: Response) -> Response:
    response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    return response


def strict_transport_security(response: Response) -> Response:
    """HSTS on answers over https only (a browser ignores it over http anyway)."""
    if request.is_secure:
        response.headers.setdefault("Strict-Transport-Security", STRICT_TRANSPORT_SECURITY)
    return response


class SessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie session, its cookie Secure whenever the request came over https."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(super().get_cookie_secure(app) or request.is_secure)


def trusted_proxies(app: Flask) -> int:
    """TRUSTED_PROXIES as a count of proxies, 0 or more."""
    value = app.config.get("TRUSTED_PROXIES") or 0
    if not str(value).isdigit():
        raise ValueError(f"TRUSTED_PROXIES (DIGITS_TRUSTED_PROXIES) must be a whole number of proxies, not {value!r}")
    return int(value)


def init_app(app: Flask) -> None:
    proxies = trusted_proxies(app)
    if proxies:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)
    app.session_interface = SessionInterface()
    Talisman(
        app,
        force_https=False,
        strict_transport_security=False,  # strict_transport_security() below, on https answers only
        session_cookie_secure=False,  # SessionInterface: Secure over https, not on a laptop's http
        content_security_policy=CONTENT_SECURITY_POLICY,
        referrer_policy="no-referrer",
        permissions_policy=PERMISSIONS_POLICY,
        feature_policy=None,  # Permissions-Policy replaced it
        document_policy=None,
        frame_options="DENY",
    )
    app.after_request(cross_origin_opener_policy)
    app.after_request(strict_transport_security)
