"""A real nginx (Debian's nginx-light, which ./test.sh installs when missing) in front of app servers,
terminating TLS with a self-signed certificate made here by openssl. It runs the committed site file
docs/nginx/digits.conf, with this run's ports, certificate and app servers put in place of the
guide's; as root, as the unprivileged `www-data` (nginx's own user on Debian)."""

import os
import pwd
import shutil
import signal
import socket
import ssl
import subprocess
import tempfile
from pathlib import Path

from tools.servers import ROOT
from tools.servers import free_port
from tools.servers import wait_until_up

SITE = ROOT / "docs" / "nginx" / "digits.conf"
GUIDE_SERVERS = ("127.0.0.1:5001", "127.0.0.1:5002")
MAIN_CONF = """\
daemon off;
pid {folder}/nginx.pid;
error_log {folder}/error.log warn;
worker_processes 2;
events {{ worker_connections 1024; }}
http {{
    access_log {folder}/access.log;
    client_body_temp_path {folder}/body;
    proxy_temp_path {folder}/proxy;
    fastcgi_temp_path {folder}/fastcgi;
    uwsgi_temp_path {folder}/uwsgi;
    scgi_temp_path {folder}/scgi;
    include {folder}/digits.conf;
}}
"""


def nginx_bin() -> str:
    found = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
    if not found:
        raise FileNotFoundError("nginx is missing: ./test.sh installs Debian's nginx-light")
    return found


def self_signed_certificate(folder: Path) -> tuple:
    """(certificate, key) for 127.0.0.1 and localhost, valid for a day."""
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
         "-keyout", key, "-out", cert, "-days", "1", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"],
        check=True, capture_output=True,
    )  # fmt: skip
    return cert, key


def site_config(https_port: int, http_port: int, upstreams: list, cert: Path, key: Path) -> str:
    """docs/nginx/digits.conf with this run's values in place of the guide's (each must be found)."""
    text = SITE.read_text()
    replacements = [
        ("listen [::]:80;\n", ""),
        ("listen [::]:443 ssl http2;\n", ""),
        ("listen 80;", f"listen 127.0.0.1:{http_port};"),
        ("listen 443 ssl http2;", f"listen 127.0.0.1:{https_port} ssl;"),
        ("/etc/ssl/digits/fullchain.pem", str(cert)),
        ("/etc/ssl/digits/privkey.pem", str(key)),
        *zip(GUIDE_SERVERS, upstreams, strict=True),
    ]
    for guide, ours in replacements:
        assert guide in text, f"{SITE.name} no longer has {guide!r}"
        text = text.replace(guide, ours)
    return text


class Nginx:
    """nginx in the foreground (daemon off) with its files in a temporary folder, on a free https port,
    passing requests to `upstreams` ("127.0.0.1:PORT")."""

    def __init__(self, upstreams: list):
        self.folder = Path(tempfile.mkdtemp(prefix="digits-nginx-"))  # not under pytest's root-only folders
        self.port, http_port = free_port(), free_port()
        self.url = f"https://127.0.0.1:{self.port}"
        self.cert, key = self_signed_certificate(self.folder)
        (self.folder / "digits.conf").write_text(site_config(self.port, http_port, upstreams, self.cert, key))
        (self.folder / "nginx.conf").write_text(MAIN_CONF.format(folder=self.folder))
        command = [nginx_bin(), "-p", str(self.folder), "-c", str(self.folder / "nginx.conf")]
        if os.geteuid() == 0:  # as root nginx's workers would be `nobody`; all of it runs as www-data instead
            user = pwd.getpwnam("www-data")
            for path in [self.folder, *self.folder.iterdir()]:
                os.chown(path, user.pw_uid, user.pw_gid)
            command = ["runuser", "-u", "www-data", "--", *command]
        with open(self.folder / "nginx.out", "wb") as out:
            self.process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        self.wait_ready()

    def wait_ready(self, seconds: float = 10) -> None:
        try:
            wait_until_up(
                self.process, lambda: socket.create_connection(("127.0.0.1", self.port), timeout=1).close(), seconds
            )
        except RuntimeError as exc:
            self.stop()
            raise RuntimeError(f"nginx {exc}: {self.log()}") from None

    def ssl_context(self) -> ssl.SSLContext:
        """A client's TLS settings that trust this nginx's certificate (and check it)."""
        return ssl.create_default_context(cafile=str(self.cert))

    def log(self) -> str:
        logs = (self.folder / "error.log", self.folder / "nginx.out")
        return "".join(path.read_text() for path in logs if path.exists())

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)  # nginx's fast shutdown
        self.process.wait(10)

    def remove(self) -> None:
        try:
            self.stop()
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)
