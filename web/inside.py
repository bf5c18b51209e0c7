"""Placeholder blueprint, filled in by the inside page work."""

from flask import Blueprint

bp = Blueprint("inside", __name__)
