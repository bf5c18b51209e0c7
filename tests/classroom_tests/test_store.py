"""classroom.store and classroom.export against SQLite and a real PostgreSQL: classes, drawings,
limits, hiding, closing, deleting, pruning, the export read back by the engine's IDX reader, and
a clear Unavailable (never a driver's exception) when the database cannot be written."""

import io
import zipfile

import numpy as np
import pytest

from classroom.export import export_zip
from classroom.store import CODE_ALPHABET
from classroom.store import ClassClosed
from classroom.store import ClassFull
from classroom.store import Limits
from classroom.store import NewDrawing
from classroom.store import Store
from classroom.store import TooFast
from classroom.store import Unavailable
from nn.mnist import read_labelled


@pytest.fixture
def store(database_url):
    store = Store(database_url)
    yield store
    store.dispose()


def reading(intended: int, predicted: int, seed: int = 0) -> NewDrawing:
    rng = np.random.default_rng(seed)
    probabilities = np.full(10, 0.01)
    probabilities[predicted] = 0.91
    return NewDrawing(
        intended=intended,
        predicted=predicted,
        confidence=0.91,
        probabilities=probabilities.tolist(),
        model="book",
        x=rng.random((28, 28), dtype=np.float32),
        png=b"\x89PNG\r\n\x1a\n" + bytes([seed]) * 20,
    )


def test_a_new_class_has_a_readable_code_and_is_owned_by_its_secret(store):
    cls = store.new_class("book", "s3cret")
    assert len(cls.code) == 5 and set(cls.code) <= set(CODE_ALPHABET)
    assert not set("0O1I") & set(CODE_ALPHABET)
    assert cls.is_open and cls.drawing_count == 0
    assert cls.owned_by("s3cret") and not cls.owned_by("other") and not cls.owned_by(None)
    assert store.find_class(cls.code.lower()) == cls  # typed in lower case
    assert store.find_class("ZZZZZZ") is None
    assert len({store.new_class("book", "x").code for _ in range(20)}) == 20


def test_drawings_are_stored_with_their_input_png_and_reading(store):
    cls = store.new_class("book", "s")
    first = store.add_drawing(cls.id, "device-a", reading(7, 7, seed=1))
    second = store.add_drawing(cls.id, "device-a", reading(3, 8, seed=2))
    assert [d.id for d in store.drawings_of(cls.id)] == [second, first]  # newest first
    stored = store.drawing(cls.id, second)
    assert (stored.intended, stored.predicted, stored.correct) == (3, 8, False)
    np.testing.assert_array_equal(stored.x, reading(3, 8, seed=2).x)
    assert stored.png == reading(3, 8, seed=2).png
    assert stored.probabilities[8] == pytest.approx(0.91)
    assert store.find_class(cls.code).version == 2


def test_confusion_counts_intended_against_predicted(store):
    cls = store.new_class("book", "s")
    for i, (meant, read) in enumerate([(1, 1), (1, 1), (1, 7), (7, 7), (4, 9)]):
        store.add_drawing(cls.id, f"d{i}", reading(meant, read))
    confusion = store.confusion_of(cls.id)
    assert confusion.matrix[1, 1] == 2 and confusion.matrix[1, 7] == 1 and confusion.matrix[4, 9] == 1
    assert (confusion.total, confusion.correct) == (5, 3)
    assert confusion.accuracy == pytest.approx(0.6)
    assert confusion.of_digit(1) == (2, 3) and confusion.of_digit(0) == (0, 0)


def test_classes_never_see_each_others_drawings(store):
    a, b = store.new_class("book", "s"), store.new_class("book", "s")
    drawing = store.add_drawing(a.id, "d", reading(2, 2))
    assert store.drawings_of(b.id) == [] and store.confusion_of(b.id).total == 0
    assert store.drawing(b.id, drawing) is None
    assert not store.set_hidden(b.id, drawing)
    assert store.export_drawings(b.id) == []


def test_hidden_drawings_leave_the_board_and_the_statistics(store):
    cls = store.new_class("book", "s")
    keep = store.add_drawing(cls.id, "d1", reading(5, 5))
    hide = store.add_drawing(cls.id, "d2", reading(5, 6))
    version = store.find_class(cls.code).version
    assert store.set_hidden(cls.id, hide)
    assert store.find_class(cls.code).version == version + 1
    assert [d.id for d in store.drawings_of(cls.id)] == [keep]
    assert [d.id for d in store.drawings_of(cls.id, include_hidden=True)] == [hide, keep]
    assert store.confusion_of(cls.id).total == 1 and store.count_hidden(cls.id) == 1
    assert [d.id for d in store.export_drawings(cls.id)] == [keep]
    assert store.set_hidden(cls.id, hide, False) and store.count_hidden(cls.id) == 0


def test_a_closed_class_takes_no_drawings(store):
    cls = store.new_class("book", "s")
    store.close_class(cls.id)
    assert not store.find_class(cls.code).is_open
    with pytest.raises(ClassClosed):
        store.add_drawing(cls.id, "d", reading(1, 1))


def test_the_rate_limit_counts_per_device_not_per_class(store):
    """Sixty devices (say, one classroom behind one NAT address) each send at the limit: all are
    taken; one more from the same device inside the window is refused, another device is not."""
    cls = store.new_class("book", "s")
    limits = Limits(max_drawings=1000, per_device=2, seconds=10.0)
    for device in range(60):
        for k in range(2):
            store.add_drawing(cls.id, f"device-{device}", reading(1, 1), limits, now=1000.0 + k)
    with pytest.raises(TooFast):
        store.add_drawing(cls.id, "device-0", reading(1, 1), limits, now=1005.0)
    store.add_drawing(cls.id, "device-new", reading(1, 1), limits, now=1005.0)
    store.add_drawing(cls.id, "device-0", reading(1, 1), limits, now=1011.0)  # the window has passed
    assert store.find_class(cls.code).drawing_count == 122


def test_a_class_holds_at_most_max_drawings(store):
    cls = store.new_class("book", "s")
    limits = Limits(max_drawings=3, per_device=100, seconds=10.0)
    for i in range(3):
        store.add_drawing(cls.id, f"d{i}", reading(1, 1), limits)
    with pytest.raises(ClassFull):
        store.add_drawing(cls.id, "d9", reading(1, 1), limits)


def test_deleting_a_class_deletes_its_drawings(store):
    cls = store.new_class("book", "s")
    drawing = store.add_drawing(cls.id, "d", reading(1, 1))
    store.delete_class(cls.id)
    assert store.find_class(cls.code) is None
    assert store.drawing(cls.id, drawing) is None
    with store.engine.connect() as conn:  # gone from the table, not only unreachable
        assert conn.exec_driver_sql("SELECT count(*) FROM drawings").scalar_one() == 0


def test_prune_deletes_old_classes_only(store):
    old = store.new_class("book", "s", now=1_000_000.0)
    store.add_drawing(old.id, "d", reading(1, 1))
    new = store.new_class("book", "s", now=1_000_000.0 + 29 * 86400)
    assert store.prune(30 * 86400, now=1_000_000.0 + 31 * 86400) == 1
    assert store.find_class(old.code) is None and store.find_class(new.code) is not None


def test_prune_if_due_prunes_at_most_once_an_interval(store):
    """The first call prunes (and forgets old attempts); until the interval has passed, no call does."""
    day, start = 86400, 1_000_000.0
    old = store.new_class("book", "s", now=start)
    store.add_attempt("lookup", "192.0.2.1", now=start)
    assert store.prune_if_due(30 * day, 3600, now=start + 31 * day) == 1
    assert store.find_class(old.code) is None and store.attempts_since("lookup", "192.0.2.1", 0) == 0
    newer = store.new_class("book", "s", now=start)
    assert store.prune_if_due(30 * day, 3600, now=start + 31 * day + 3599) is None  # not due: nothing deleted
    assert store.find_class(newer.code) is not None
    assert store.prune_if_due(30 * day, 3600, now=start + 31 * day + 3600) == 1


def test_only_one_of_many_processes_prunes(database_url, tmp_path):
    """Six processes ask at the same moment whether a prune is due: the database lets exactly one."""
    import subprocess
    import sys
    import time

    from tools.servers import ROOT

    Store(database_url).dispose()  # the tables exist before the race
    start = time.time() + 3  # the moment they all ask, once their interpreters have started
    script = (
        "import sys, time; from classroom.store import Store; s = Store(sys.argv[1]); "
        "time.sleep(max(0, float(sys.argv[2]) - time.time())); print(s.prune_if_due(30 * 86400, 3600)); s.dispose()"
    )
    runs = [
        subprocess.Popen([sys.executable, "-c", script, database_url, str(start)], cwd=ROOT, stdout=subprocess.PIPE)
        for _ in range(6)
    ]
    answers = sorted(run.communicate(timeout=60)[0].decode().strip() for run in runs)
    assert answers == ["0"] + ["None"] * 5


def test_attempts_count_per_kind_and_who_within_the_window(store):
    store.add_attempt("password", "device-a", "192.0.2.1", now=100.0)
    store.add_attempt("password", "device-a", "192.0.2.1", now=150.0)
    store.add_attempt("lookup", "192.0.2.1", now=150.0)
    assert store.attempts_since("password", "device-a", 0) == 2
    assert store.attempts_since("password", "192.0.2.1", 120) == 1  # the first one is out of the window
    assert store.attempts_since("lookup", "192.0.2.1", 0) == 1
    assert store.attempts_since("password", "device-b", 0) == 0
    with store.engine.connect() as conn:  # who is kept hashed, never as the address itself
        assert "192.0.2.1" not in str(conn.exec_driver_sql("SELECT who FROM attempts").all())


def test_export_zip_reads_back_through_the_idx_reader(store, tmp_path):
    cls = store.new_class("book", "s")
    sent = [reading(d, (d + 1) % 10 if d == 4 else d, seed=d) for d in (3, 1, 4, 1, 5)]
    ids = [store.add_drawing(cls.id, f"d{i}", r) for i, r in enumerate(sent)]
    store.set_hidden(cls.id, ids[2])
    path = tmp_path / "export.zip"
    path.write_bytes(export_zip(store.export_drawings(cls.id)))
    images, labels = read_labelled(path)
    assert labels.tolist() == [3, 1, 1, 5]
    expected = np.rint(sent[0].x * 255).astype(np.uint8)
    np.testing.assert_array_equal(images[0], expected)
    with zipfile.ZipFile(path) as archive:
        names = set(archive.namelist())
        rows = archive.read("drawings.csv").decode().splitlines()
        assert archive.read(f"png/{ids[0]}.png") == sent[0].png
    assert {"images-idx3-ubyte", "labels-idx1-ubyte", "drawings.csv"} <= names
    assert rows[0] == "id,time,intended,predicted,confidence,model,hidden,png"
    assert len(rows) == 5 and rows[1].startswith(f"{ids[0]},") and ",book,0," in rows[1]
    everything = export_zip(store.export_drawings(cls.id, include_hidden=True))
    assert read_labelled_bytes(everything, tmp_path)[1].tolist() == [3, 1, 4, 1, 5]


def read_labelled_bytes(data: bytes, folder):
    path = folder / "all.zip"
    path.write_bytes(data)
    return read_labelled(path)


def test_an_empty_export_is_still_a_valid_set(store, tmp_path):
    cls = store.new_class("book", "s")
    images, labels = read_labelled_bytes(export_zip(store.export_drawings(cls.id)), tmp_path)
    assert images.shape == (0, 28, 28) and labels.shape == (0,)
    assert zipfile.ZipFile(io.BytesIO(export_zip([]))).read("drawings.csv").count(b"\n") == 1


def test_a_read_only_sqlite_database_raises_unavailable(tmp_path):
    path = tmp_path / "classes.sqlite3"
    writable = Store(f"sqlite:///{path}")
    cls = writable.new_class("book", "s")
    writable.dispose()
    read_only = Store(f"sqlite:///file:{path}?mode=ro&uri=true")
    assert read_only.find_class(cls.code) is not None  # reading still works
    with pytest.raises(Unavailable, match="readonly"):
        read_only.add_drawing(cls.id, "d", reading(1, 1))
    read_only.dispose()


def test_an_unreachable_server_raises_unavailable():
    from tools.servers import free_port

    store = Store(f"postgresql://nobody@127.0.0.1:{free_port()}/none?connect_timeout=2")
    with pytest.raises(Unavailable):
        store.find_class("ABCDE")
    store.dispose()
