"""Maintenance commands, run from the project root: `python -m tools.translations` (the gettext
catalogs), `python -m tools.subset_font` (the Korean web font). And what tests/ and bench/ both
need, so that neither imports the other: `servers` (start `python app.py`, wait until it answers,
a cookie-keeping client), `postgres` (a throwaway PostgreSQL server), `digits` (canvas-like
drawings of 0, 1 and 7)."""
