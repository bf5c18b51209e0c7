"""Classroom mode's storage and export: classes, their drawings and what the network read.

Knows nothing of Flask: `store.Store` is the only code that speaks to the database (SQLite by
default, PostgreSQL by URL) over the tables of `schema`; `export` turns stored drawings into an
MNIST-style zip.
"""
