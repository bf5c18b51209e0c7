"""A throwaway PostgreSQL server for the classroom tests and bench/classroom_load.py (both use
this module and never import each other): Debian's postgresql package (./test.sh installs it when
missing), a cluster in a temporary folder on a free loopback port; as root (initdb and postgres
refuse it) it runs as the unprivileged `postgres` user."""

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
import uuid
from pathlib import Path

import sqlalchemy as sa

from tools.servers import free_port


def postgres_bin() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[-3]))
    if not found:
        raise FileNotFoundError(
            "PostgreSQL is missing: ./test.sh installs Debian's postgresql (apt-get install postgresql)"
        )
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
