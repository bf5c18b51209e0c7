"""GET /healthz for a load balancer or a monitor: 200 {"status": "ok"} while the classroom's database
answers a cheap query, 503 {"status": "unavailable"} when it does not. No session, no cookie, no
template: it costs a query and Flask's own work."""

from flask import Blueprint
from flask import current_app
from flask import jsonify

from classroom.store import Unavailable
from web.class_store import store

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    try:
        store().ping()
    except Unavailable as exc:
        current_app.logger.warning("health check: the database does not answer: %s", exc)
        response = jsonify(status="unavailable")
        response.status_code = 503
    else:
        response = jsonify(status="ok")
    response.headers["Cache-Control"] = "no-store"
    return response
