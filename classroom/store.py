"""The classroom's queries: classes and their drawings, through SQLAlchemy Core (the tables and
the engine's setup are classroom.schema's).

Every worker process and every app server on the same database sees the same classes: nothing
here lives in one process's memory. Each drawing is stored with what the network read (the 28x28
input), its reading and the PNG as sent, so the board, the statistics and the export never
compute a reading again.

Any failure of the database itself (unreachable, read-only, locked too long, disk full) raises
`Unavailable`, which the web layer answers with 503.
"""

import hashlib
import hmac
import secrets
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np
import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import IntegrityError

from classroom.schema import attempts
from classroom.schema import classes
from classroom.schema import create_schema
from classroom.schema import drawings
from classroom.schema import housekeeping
from classroom.schema import make_engine
from nn.evaluate import Confusion

CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # easy to read aloud and type: no 0/O, no 1/I
CODE_LENGTH = 5  # 32**5, about 33 million codes

SUMMARY = [drawings.c[name] for name in ("id", "created", "intended", "predicted", "confidence", "model", "hidden")]


class StoreError(Exception):
    """Base of the errors a caller answers with a message."""


class Unavailable(StoreError):
    """The database cannot be reached or written; the message says what the driver said."""


class ClassClosed(StoreError):
    """The lecturer closed the class: it takes no more drawings."""


class ClassFull(StoreError):
    """The class has as many drawings as it may hold."""


class TooFast(StoreError):
    """This device sent more drawings than the rate limit allows; try again shortly."""


@dataclass(frozen=True)
class Limits:
    max_drawings: int = 5000  # per class
    per_device: int = 10  # drawings per device ...
    seconds: float = 10.0  # ... in this many seconds


@dataclass(frozen=True)
class Class:
    id: int
    code: str
    owner_hash: str
    model: str
    created: float
    closed: float | None
    drawing_count: int
    version: int

    @property
    def is_open(self) -> bool:
        return self.closed is None

    def owned_by(self, secret: str | None) -> bool:
        """Whether `secret` is the one handed to the browser that started the class."""
        return bool(secret) and hmac.compare_digest(owner_hash(secret), self.owner_hash)


@dataclass(frozen=True)
class NewDrawing:
    """A reading to store: what the student meant, what the network read, and its inputs."""

    intended: int
    predicted: int
    confidence: float
    probabilities: list
    model: str
    x: np.ndarray  # (28, 28) float32 in 0..1: the input the network read
    png: bytes  # the image as the student's device sent it


@dataclass(frozen=True)
class Drawing:
    id: int
    created: float
    intended: int
    predicted: int
    confidence: float
    model: str
    hidden: bool
    probabilities: list | None = None
    x: np.ndarray | None = None
    png: bytes | None = None

    @property
    def correct(self) -> bool:
        return self.intended == self.predicted


def owner_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def device_hash(device: str) -> str:
    """A device's cookie, or a client's address, as the database keeps it: not the value itself."""
    return hashlib.sha256(device.encode()).hexdigest()[:32]


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normal_code(text: str) -> str:
    """A code as typed: spaces dropped, upper case."""
    return "".join(text.split()).upper()


class Store:
    """One database: its engine (a pool of connections) and every query the classroom asks."""

    def __init__(self, url: str, timeout: float = 5.0):
        self.engine = make_engine(url, timeout)
        self._schema_ready = False

    def dispose(self) -> None:
        self.engine.dispose()

    # --- transactions ---------------------------------------------------------------------------

    @contextmanager
    def _begin(self, write: bool = False) -> Iterator[sa.Connection]:
        try:
            if not self._schema_ready:
                self.create_schema()
            engine = self.engine.execution_options(write=True) if write else self.engine
            with engine.begin() as conn:
                yield conn
        except IntegrityError:
            raise
        except (DBAPIError, sa.exc.TimeoutError) as exc:
            raise Unavailable(_describe(exc)) from exc

    def create_schema(self) -> None:
        """Create the tables and indexes that are missing (classroom.schema.create_schema)."""
        try:
            create_schema(self.engine)
        except (DBAPIError, sa.exc.TimeoutError) as exc:
            raise Unavailable(_describe(exc)) from exc
        self._schema_ready = True

    def ping(self) -> None:
        """A cheap query (SELECT 1), for a health check: Unavailable when the database does not answer."""
        with self._begin() as conn:
            conn.execute(sa.text("SELECT 1"))

    # --- classes --------------------------------------------------------------------------------

    def new_class(self, model: str, secret: str, now: float | None = None) -> Class:
        """A new open class with a fresh code; `secret` (kept by the lecturer's browser) owns it."""
        values = dict(
            owner_hash=owner_hash(secret),
            model=model,
            created=time.time() if now is None else now,
            closed=None,
            drawing_count=0,
            version=0,
        )
        for _ in range(20):
            try:
                with self._begin(write=True) as conn:
                    code = new_code()
                    conn.execute(classes.insert().values(code=code, **values))
                return self.find_class(code)
            except IntegrityError:
                continue  # the code was taken: draw another
        raise Unavailable("no free class code found")

    def find_class(self, code: str) -> Class | None:
        with self._begin() as conn:
            row = conn.execute(classes.select().where(classes.c.code == normal_code(code))).first()
        return Class(**row._mapping) if row else None

    def close_class(self, class_id: int, now: float | None = None) -> None:
        with self._begin(write=True) as conn:
            conn.execute(
                classes.update()
                .where(classes.c.id == class_id, classes.c.closed.is_(None))
                .values(closed=time.time() if now is None else now, version=classes.c.version + 1)
            )

    def delete_class(self, class_id: int) -> None:
        """The class and all its drawings (ON DELETE CASCADE)."""
        with self._begin(write=True) as conn:
            conn.execute(classes.delete().where(classes.c.id == class_id))

    def prune(self, older_than_seconds: float, now: float | None = None) -> int:
        """Delete the classes started more than `older_than_seconds` ago; how many there were."""
        with self._begin(write=True) as conn:
            return _delete_classes_before(conn, (time.time() if now is None else now) - older_than_seconds)

    def prune_if_due(self, older_than_seconds: float, every_seconds: float, now: float | None = None) -> int | None:
        """prune(older_than_seconds) unless some process (of any server on this database) did so
        less than `every_seconds` ago: how many classes were deleted, None when it was not due.
        The database decides who prunes: the one process whose conditional UPDATE changed the row
        (the row lock, or SQLite's write lock, lets one through at a time). Attempts older than
        `every_seconds` go too (no limit looks back further than a few minutes)."""
        now = time.time() if now is None else now
        try:
            with self._begin(write=True) as conn:
                due = conn.execute(
                    housekeeping.update()
                    .where(housekeeping.c.id == 1, housekeeping.c.last_pruned <= now - every_seconds)
                    .values(last_pruned=now)
                ).rowcount
                if not due and conn.execute(sa.select(housekeeping.c.id)).first() is None:
                    conn.execute(housekeeping.insert().values(id=1, last_pruned=now))  # the very first time
                    due = 1
                if not due:
                    return None
                conn.execute(attempts.delete().where(attempts.c.at < now - every_seconds))
                return _delete_classes_before(conn, now - older_than_seconds)
        except IntegrityError:
            return None  # another process inserted the row first: it prunes

    # --- attempts (rate limits that hold across processes) --------------------------------------

    def attempts_since(self, kind: str, who: str, since: float) -> int:
        """How many attempts of this kind `who` (a device's cookie, a client's address) made since then."""
        query = sa.select(sa.func.count()).where(
            attempts.c.kind == kind, attempts.c.who == device_hash(who), attempts.c.at > since
        )
        with self._begin() as conn:
            return conn.execute(query).scalar_one()

    def add_attempt(self, kind: str, *who: str, now: float | None = None) -> None:
        """One attempt of this kind, counted for each of `who` (say, the device and its address)."""
        at = time.time() if now is None else now
        with self._begin(write=True) as conn:
            conn.execute(attempts.insert(), [dict(kind=kind, who=device_hash(w), at=at) for w in who])

    # --- drawings -------------------------------------------------------------------------------

    def add_drawing(
        self, class_id: int, device: str, drawing: NewDrawing, limits: Limits = Limits(), now: float | None = None
    ) -> int:
        """Store one reading; its id. ClassClosed, ClassFull or TooFast when it may not be added.
        The class row is locked for the check and the insert, so limits hold across processes."""
        now = time.time() if now is None else now
        device = device_hash(device)
        with self._begin(write=True) as conn:
            cls = conn.execute(
                sa.select(classes.c.closed, classes.c.drawing_count).where(classes.c.id == class_id).with_for_update()
            ).first()
            if cls is None or cls.closed is not None:
                raise ClassClosed()
            if cls.drawing_count >= limits.max_drawings:
                raise ClassFull()
            recent = conn.execute(
                sa.select(sa.func.count())
                .select_from(drawings)
                .where(
                    drawings.c.class_id == class_id,
                    drawings.c.device == device,
                    drawings.c.created > now - limits.seconds,
                )
            ).scalar_one()
            if recent >= limits.per_device:
                raise TooFast()
            drawing_id = conn.execute(
                drawings.insert()
                .values(
                    class_id=class_id,
                    created=now,
                    device=device,
                    intended=drawing.intended,
                    predicted=drawing.predicted,
                    confidence=drawing.confidence,
                    probabilities=[round(float(p), 6) for p in drawing.probabilities],
                    model=drawing.model,
                    input=np.asarray(drawing.x, dtype="<f4").reshape(28, 28).tobytes(),
                    png=drawing.png,
                    hidden=False,
                )
                .returning(drawings.c.id)
            ).scalar_one()
            conn.execute(
                classes.update()
                .where(classes.c.id == class_id)
                .values(drawing_count=classes.c.drawing_count + 1, version=classes.c.version + 1)
            )
        return drawing_id

    def drawings_of(self, class_id: int, include_hidden: bool = False, limit: int | None = None) -> list:
        """The class's drawings, newest first, without their images."""
        query = sa.select(*SUMMARY).where(drawings.c.class_id == class_id).order_by(drawings.c.id.desc()).limit(limit)
        if not include_hidden:
            query = query.where(drawings.c.hidden.is_(False))
        with self._begin() as conn:
            return [Drawing(**row._mapping) for row in conn.execute(query)]

    def count_hidden(self, class_id: int) -> int:
        query = sa.select(sa.func.count()).where(drawings.c.class_id == class_id, drawings.c.hidden.is_(True))
        with self._begin() as conn:
            return conn.execute(query).scalar_one()

    def confusion_of(self, class_id: int) -> Confusion:
        """Intended against predicted over the visible drawings, counted by the database."""
        query = (
            sa.select(drawings.c.intended, drawings.c.predicted, sa.func.count())
            .where(drawings.c.class_id == class_id, drawings.c.hidden.is_(False))
            .group_by(drawings.c.intended, drawings.c.predicted)
        )
        with self._begin() as conn:
            return Confusion.from_counts(conn.execute(query))

    def drawing(self, class_id: int, drawing_id: int) -> Drawing | None:
        """One drawing of this class with its probabilities, input and PNG (None if not this class's)."""
        query = sa.select(*SUMMARY, drawings.c.probabilities, drawings.c.input, drawings.c.png).where(
            drawings.c.class_id == class_id, drawings.c.id == drawing_id
        )
        with self._begin() as conn:
            row = conn.execute(query).first()
        return _full(row) if row else None

    def export_drawings(self, class_id: int, include_hidden: bool = False) -> list:
        """Every drawing of the class with its input and PNG, oldest first."""
        query = (
            sa.select(*SUMMARY, drawings.c.probabilities, drawings.c.input, drawings.c.png)
            .where(drawings.c.class_id == class_id)
            .order_by(drawings.c.id)
        )
        if not include_hidden:
            query = query.where(drawings.c.hidden.is_(False))
        with self._begin() as conn:
            return [_full(row) for row in conn.execute(query)]

    def set_hidden(self, class_id: int, drawing_id: int, hidden: bool = True) -> bool:
        """Hide (or show again) one drawing of this class; False when the class has no such drawing."""
        with self._begin(write=True) as conn:
            found = conn.execute(
                drawings.update()
                .where(drawings.c.class_id == class_id, drawings.c.id == drawing_id)
                .values(hidden=hidden)
            ).rowcount
            if found:
                conn.execute(classes.update().where(classes.c.id == class_id).values(version=classes.c.version + 1))
        return bool(found)


def _delete_classes_before(conn: sa.Connection, cutoff: float) -> int:
    """Delete the classes started before `cutoff` (their drawings go along: ON DELETE CASCADE)."""
    return conn.execute(classes.delete().where(classes.c.created < cutoff)).rowcount


def _full(row) -> Drawing:
    values = dict(row._mapping)
    values["x"] = np.frombuffer(values.pop("input"), dtype="<f4").reshape(28, 28)
    values["png"] = bytes(values["png"])
    return Drawing(**values)


def _describe(exc: Exception) -> str:
    """The driver's own first line (e.g. "attempt to write a readonly database"), no SQL."""
    original = getattr(exc, "orig", None) or exc
    text = str(original).strip().splitlines()
    return text[0] if text else type(original).__name__
