"""The address students open, http://<host>:<port>/c/<code>, and its QR code."""

import ipaddress
import socket
from functools import cache
from urllib.parse import urlsplit

import segno
from flask import current_app
from flask import request
from flask import url_for

WILDCARD_HOSTS = ("0.0.0.0", "::", "")


@cache
def lan_address() -> str:
    """This machine's address on the local network, found without sending a packet: connect() on a
    UDP socket only picks the route and the local address; else the host name's addresses."""
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.connect(("10.254.254.254", 1))
            address = probe.getsockname()[0]
            if not ipaddress.ip_address(address).is_loopback and address != "0.0.0.0":
                return address
    except OSError:
        pass
    try:
        for *_rest, sockaddr in socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET):
            if not ipaddress.ip_address(sockaddr[0]).is_loopback:
                return sockaddr[0]
    except OSError:
        pass
    return "127.0.0.1"


def is_loopback(hostname: str) -> bool:
    if hostname == "localhost":
        return True
    try:
        return ipaddress.ip_address(hostname).is_loopback
    except ValueError:
        return False


def join_url(code: str) -> str:
    """http://<host>:<port>/c/<code> as students must type it: the address the board was opened
    with, except that a server listening on every interface (--host 0.0.0.0) opened as
    127.0.0.1 or localhost gives its LAN address, which phones can reach."""
    parts = urlsplit("//" + request.host)
    hostname = parts.hostname or "127.0.0.1"
    if current_app.config.get("LISTEN_HOST") in WILDCARD_HOSTS and is_loopback(hostname):
        hostname = lan_address()
    host = f"[{hostname}]" if ":" in hostname else hostname
    port = f":{parts.port}" if parts.port else ""
    return f"{request.scheme}://{host}{port}{url_for('students.student', code=code)}"


def qr_svg(url: str) -> str:
    """The join address as an inline SVG QR code (sized by CSS: the board shows it large)."""
    return segno.make(url, error="m").svg_inline(omitsize=True, border=2, dark="#000", light="#fff")
