"""Placeholder blueprint, filled in by the draw page work."""

from flask import Blueprint

bp = Blueprint("draw", __name__)
