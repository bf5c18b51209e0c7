"""Fixtures of the classroom tests: every storage and API test runs on SQLite and on a real
PostgreSQL server that these fixtures start themselves (Debian's postgresql package, which
./test.sh installs when missing; as root, the server runs as the unprivileged `postgres` user)."""

import pytest

from app import create_app
from tools.postgres import Postgres

DATABASES = ["sqlite", "postgresql"]


@pytest.fixture(scope="session")
def postgres():
    try:
        server = Postgres()
    except FileNotFoundError as exc:
        pytest.fail(str(exc))
    yield server
    server.remove()


@pytest.fixture(params=DATABASES)
def database_url(request, tmp_path):
    """An empty database of each kind: a SQLite file, then a new database on the PostgreSQL server."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'classes.sqlite3'}"
    return request.getfixturevalue("postgres").new_database()


def close_store(app) -> None:
    """Close the app's database connections (an unclosed one is a ResourceWarning, an error here)."""
    store = app.extensions.get("classroom_store")
    if store is not None:
        store.dispose()


@pytest.fixture
def class_app(tmp_path, database_url, real_models):
    """The app with the shipped models (the tests' drawings must be read as the digits they are)."""
    config = {"INSTANCE_PATH": str(tmp_path / "instance"), "DATABASE_URL": database_url, "MODELS": real_models}
    app = create_app({"TESTING": True, **config})
    yield app
    close_store(app)
