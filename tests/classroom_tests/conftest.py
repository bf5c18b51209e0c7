"""Fixtures of the classroom tests: every storage and API test runs on SQLite and on a real
PostgreSQL server that these fixtures start themselves (Debian's postgresql package, which
./test.sh installs when missing; as root, the server runs as the unprivileged `postgres` user)."""

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa

from app import create_app
from tests.conftest import free_port

DATABASES = ["sqlite", "postgresql"]


def postgres_bin() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[-3]))
    if not found:
        pytest.fail("PostgreSQL is missing: ./test.sh installs Debian's postgresql (or apt-get install postgresql)")
    return Path(found[-1]).parent


def server_user() -> str | None:
    """None: run as ourselves; as root, initdb and postgres refuse to run, so as `postgres`."""
    if os.geteuid() != 0:
        return None
    try:
        pwd.getpwnam("postgres")
    except KeyError:
        subprocess.run(["useradd", "--system", "--no-create-home", "postgres"], check=True)
    return "postgres"


class Postgres:
    """A throwaway PostgreSQL cluster in a temporary folder, on a free loopback port."""

    def __init__(self):
        self.bin = postgres_bin()
        self.user = server_user()
        self.folder = Path(tempfile.mkdtemp(prefix="digits-pg-"))
        self.data = self.folder / "data"
        self.port = free_port()
        if self.user:
            shutil.chown(self.folder, self.user)
        self.run("initdb", "-D", self.data, "-A", "trust", "-U", "digits", "-E", "UTF8", "--no-sync")
        self.start()

    def run(self, tool: str, *args) -> None:
        command = [str(self.bin / tool), *map(str, args)]
        if self.user:
            command = ["runuser", "-u", self.user, "--", *command]
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    def start(self) -> None:
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.folder} -F -c max_connections=200"
        self.run("pg_ctl", "-D", self.data, "-l", self.folder / "server.log", "-o", options, "-w", "start")

    def stop(self) -> None:
        self.run("pg_ctl", "-D", self.data, "-m", "fast", "-w", "stop")

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://digits@127.0.0.1:{self.port}/{database}"

    def new_database(self) -> str:
        """The URL of a fresh, empty schema (as good as a new database for the app, and created
        in milliseconds where CREATE DATABASE takes seconds): the URL sets its search_path."""
        name = "t_" + uuid.uuid4().hex[:12]
        engine = sa.create_engine(self.url().replace("postgresql://", "postgresql+psycopg://"))
        with engine.begin() as conn:
            conn.exec_driver_sql(f"CREATE SCHEMA {name}")
        engine.dispose()
        return f"{self.url()}?options=-csearch_path%3D{name}"

    def remove(self) -> None:
        try:
            self.stop()
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres():
    server = Postgres()
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
def class_app(tmp_path, database_url):
    app = create_app({"TESTING": True, "INSTANCE_PATH": str(tmp_path / "instance"), "DATABASE_URL": database_url})
    yield app
    close_store(app)
