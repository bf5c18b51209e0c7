"""Security headers on every response: pages, fragments, the API, static files and errors.

flask-talisman sets the Content-Security-Policy, X-Content-Type-Options, Referrer-Policy,
Permissions-Policy and X-Frame-Options (HTTPS forcing and HSTS off: the app runs on plain http on
a laptop). Talisman has no Cross-Origin-Opener-Policy, so one small after_request adds it.

The policy allows only this origin's files: no inline script, no eval, no inline style. htmx 4
would adopt a stylesheet for its indicator classes; base.html turns that off with its htmx-config
meta tag (`includeIndicatorCSS: false`) and style.css carries the same rules. Templates carry no
`style="..."` attribute: sizes are SVG attributes, colours classes.
"""

from flask import Flask
from flask import Response
from flask_talisman import Talisman

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


def cross_origin_opener_policy(response: Response) -> Response:
    response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    return response


def init_app(app: Flask) -> None:
    Talisman(
        app,
        force_https=False,
        strict_transport_security=False,
        session_cookie_secure=False,
        content_security_policy=CONTENT_SECURITY_POLICY,
        referrer_policy="no-referrer",
        permissions_policy=PERMISSIONS_POLICY,
        feature_policy=None,  # Permissions-Policy replaced it
        document_policy=None,
        frame_options="DENY",
    )
    app.after_request(cross_origin_opener_policy)
