"""Maintenance commands, run from the project root: `python -m tools.translations` (the gettext
catalogs), `python -m tools.subset_font` (the Korean web font)."""
