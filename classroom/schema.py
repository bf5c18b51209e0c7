"""The classroom's tables, their indexes and the engine that reaches them (SQLAlchemy Core).

SQLite by default (a file; WAL so the board reads while students write, foreign keys on so a
deleted class takes its drawings along), PostgreSQL by URL. `classroom.store.Store` asks the
queries; this module only says what the database holds and how a connection is set up.
"""

import sqlite3
import time

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.schema import CreateIndex
from sqlalchemy.schema import CreateTable

metadata = sa.MetaData()

classes = sa.Table(
    "classes",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("code", sa.String(16), nullable=False, unique=True),
    sa.Column("owner_hash", sa.String(64), nullable=False),  # sha256 of the secret in the lecturer's session
    sa.Column("model", sa.String(100), nullable=False),
    sa.Column("created", sa.Float, nullable=False),  # seconds since the epoch, UTC
    sa.Column("closed", sa.Float),
    sa.Column("drawing_count", sa.Integer, nullable=False),  # every drawing ever added (the per-class limit)
    sa.Column("version", sa.Integer, nullable=False),  # changes with every change to the board
)

drawings = sa.Table(
    "drawings",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("class_id", sa.Integer, sa.ForeignKey("classes.id", ondelete="CASCADE"), nullable=False),
    sa.Column("created", sa.Float, nullable=False),
    sa.Column("device", sa.String(32), nullable=False),  # a hash of the device's cookie, for the rate limit
    sa.Column("intended", sa.SmallInteger, nullable=False),
    sa.Column("predicted", sa.SmallInteger, nullable=False),
    sa.Column("confidence", sa.Float, nullable=False),
    sa.Column("probabilities", sa.JSON, nullable=False),
    sa.Column("model", sa.String(100), nullable=False),
    sa.Column("input", sa.LargeBinary, nullable=False),  # the 28x28 the network read: 784 float32, little-endian
    sa.Column("png", sa.LargeBinary, nullable=False),
    sa.Column("hidden", sa.Boolean, nullable=False),
    sa.Index("drawings_by_class", "class_id", "id"),
    sa.Index("drawings_by_device", "class_id", "device", "created"),
)

# Things a client tried that are limited per minute across every process (a wrong lecturer's password,
# a lookup of a class code that does not exist): one row each, kept an hour at most.
attempts = sa.Table(
    "attempts",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("who", sa.String(32), nullable=False),  # a hash of the device's cookie or of the client's address
    sa.Column("at", sa.Float, nullable=False),
    sa.Index("attempts_by_who", "kind", "who", "at"),
)

# One row (id 1): when old classes were last pruned. A conditional UPDATE of it decides which process
# prunes, so that however many processes and servers share the database, one prunes at most once an hour.
housekeeping = sa.Table(
    "housekeeping",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("last_pruned", sa.Float, nullable=False),
)


def engine_url(url: str) -> str:
    """postgresql:// and postgres:// mean psycopg 3 (SQLAlchemy's own default is psycopg2)."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def make_engine(url: str, timeout: float = 5.0) -> sa.Engine:
    """The engine, where no query waits longer than `timeout` seconds for the database: a
    connection that cannot be made, a statement or a lock that takes too long, a pool with no free
    connection all fail (and the Store answers Unavailable) instead of hanging the request. Every
    connection is tested before use (pool_pre_ping), so after a database restart the first
    request reconnects instead of failing on a dead connection."""
    url = sa.make_url(engine_url(url))
    connect_args = {}
    if url.get_backend_name() == "postgresql" and "connect_timeout" not in url.query:
        connect_args["connect_timeout"] = max(1, round(timeout))  # libpq counts whole seconds
    engine = sa.create_engine(url, pool_pre_ping=True, pool_timeout=timeout, connect_args=connect_args)
    if engine.dialect.name == "sqlite":
        _sqlite_setup(engine, timeout)
    elif engine.dialect.name == "postgresql":
        _postgresql_setup(engine, timeout)
    return engine


def _postgresql_setup(engine: sa.Engine, timeout: float) -> None:
    """A statement (waiting for a lock included) that takes longer than `timeout` is cancelled by
    the server."""

    @event.listens_for(engine, "connect")
    def connect(dbapi_connection, _record):
        with dbapi_connection.cursor() as cursor:
            cursor.execute(f"SET statement_timeout = {int(timeout * 1000)}")
        dbapi_connection.commit()


def _sqlite_setup(engine: sa.Engine, timeout: float) -> None:
    """WAL, foreign keys, a busy timeout, and BEGIN IMMEDIATE for writes: a write that starts as a
    read and upgrades later can fail at once with "database is locked" when another process
    wrote in between; taking the write lock first makes it wait its turn (`timeout` at most)."""

    @event.listens_for(engine, "connect")
    def connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None  # SQLAlchemy's "begin" below emits BEGIN, not the driver
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {int(timeout * 1000)}")
        cursor.execute("PRAGMA foreign_keys = ON")
        _wal(cursor, timeout)
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def begin(connection):
        connection.exec_driver_sql("BEGIN IMMEDIATE" if connection.get_execution_options().get("write") else "BEGIN")


def _wal(cursor, timeout: float) -> None:
    """Put the file in WAL mode (a no-op when it is), trying again for up to `timeout` seconds when
    SQLite answers "database is locked" at once: busy_timeout does not cover every lock a new
    connection meets while another process closes the file. Six processes opening one file at once
    under load failed about one start in six before (11 of 75), none of 120 since."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            cursor.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError:
            if time.monotonic() > deadline:
                raise
        time.sleep(0.02)


def create_schema(engine: sa.Engine) -> None:
    """Create the tables and indexes that are missing. Safe when several processes start at once:
    IF NOT EXISTS, and on PostgreSQL under an advisory lock (its IF NOT EXISTS can still collide in
    the catalogue). The driver's errors pass through (Store turns them into Unavailable)."""
    with engine.execution_options(write=True).begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(sa.text("SELECT pg_advisory_xact_lock(7411)"))
        for table in metadata.sorted_tables:
            conn.execute(CreateTable(table, if_not_exists=True))
            for index in table.indexes:
                conn.execute(CreateIndex(index, if_not_exists=True))
