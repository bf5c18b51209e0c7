"""A whole class drawing at once: requests per second and latency under load, `python app.py`
(granian, a worker process per CPU core) side by side with the single-process waitress server
(`python app.py --server waitress`), in the same run.

Starts each server in turn on a free port of 127.0.0.1, warms it up, then runs wrk (Debian's
`wrk`; 50 connections, 15 s, 2 threads, 127.0.0.1 only) posting a 280x280 canvas drawing: the raw
PNG to POST /api/predict, or with --route read the page's htmx form (a data URL) to POST /read.
Prints requests/s, p50 and p99 latency, socket errors and non-2xx answers for both, the ratio,
the server's CPU time per request (all its processes; Linux), which a busy machine changes
less than the rates, and the load average (rates and latencies mean little on a machine that
is busy with other work). `--against DIR` runs a third server, `python app.py` of another
checkout (a git worktree of an earlier commit, say), for a before/after in the same run.

    python -m bench.load [--seconds 15] [--connections 50] [--route api|read] [--model default]
                         [--against DIR]
"""

import argparse
import base64
import http.client
import json
import os
import shutil
import subprocess
import sys
import tempfile
import urllib.parse
from pathlib import Path

from bench import api_latency
from bench.api_latency import drawing_png
from tools.servers import AppServer

ROOT = Path(__file__).resolve().parent.parent
SERVERS = [  # (label, app.py, extra arguments)
    ("waitress, 1 process (--server waitress)", ROOT / "app.py", ["--server", "waitress"]),
    (f"python app.py: granian, {os.cpu_count()} workers", ROOT / "app.py", []),
]

WRK_SCRIPT = (
    api_latency.WRK_SCRIPT
    + """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'RESULT {{"requests": %d, "seconds": %f, "p50_ms": %f, "p99_ms": %f, "max_ms": %f, '
    .. '"connect": %d, "read": %d, "write": %d, "timeout": %d, "non_2xx": %d}}\\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1e3, latency:percentile(99) / 1e3,
    latency.max / 1e3, e.connect, e.read, e.write, e.timeout, e.status))
end
"""
)


def ask(port: int, method: str, path: str, body: bytes, headers: dict) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        response.read()
        if response.status != 200:
            raise RuntimeError(f"{method} {path} answered {response.status}")
    finally:
        connection.close()


def cpu_seconds(pid: int) -> float | None:
    """CPU time (user + system) used so far by a process and its children, from Linux's /proc."""
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(stat.parent.name) == pid or int(fields[1]) == pid:  # fields[1]: the parent's id
            total += int(fields[11]) + int(fields[12])  # utime, stime in clock ticks
    return total / os.sysconf("SC_CLK_TCK") if total else None


def run_wrk(port: int, route: tuple, seconds: int, connections: int, workdir: Path) -> dict:
    """wrk's summary as a dict (the Lua done() hook prints it as JSON)."""
    path, body, content_type, extra = route
    body_path = workdir / "body"
    body_path.write_bytes(body)
    script = workdir / "post.lua"
    lines = "\n".join(f'wrk.headers["{k}"] = "{v}"' for k, v in extra.items())
    script.write_text(WRK_SCRIPT.format(content_type=content_type, extra_headers=lines, body_path=body_path))
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout", "5s", "-s", str(script)]
    result = subprocess.run(
        [*command, f"http://127.0.0.1:{port}{path}"],
        capture_output=True,
        text=True,
        timeout=seconds + 60,
        check=False,
    )
    line = next((line for line in result.stdout.splitlines() if line.startswith("RESULT ")), None)
    if line is None:
        raise RuntimeError(f"wrk printed no summary: {result.stdout}{result.stderr}")
    figures = json.loads(line.removeprefix("RESULT "))
    figures["rate"] = figures["requests"] / figures["seconds"]
    figures["errors"] = sum(figures[kind] for kind in ("connect", "read", "write", "timeout"))
    return figures


def main(argv: list | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=15, help="wrk duration per server, at most 60 (default 15)")
    parser.add_argument("--connections", type=int, default=50, help="wrk connections, at most 200 (default 50)")
    parser.add_argument("--route", choices=("api", "read"), default="api", help="POST /api/predict or POST /read")
    parser.add_argument("--model", default="default", help="model to read with (default: default)")
    parser.add_argument("--against", type=Path, help="another checkout of the app, run third for a before/after")
    args = parser.parse_args(argv)
    servers = list(SERVERS)
    if args.against:
        if not (args.against / "app.py").is_file():
            print(f"{args.against} has no app.py", file=sys.stderr)
            return 1
        servers.append((f"--against: {args.against.name[-33:]}", args.against.resolve() / "app.py", []))
    seconds = max(1, min(args.seconds, 60))
    connections = max(1, min(args.connections, 200))
    if not shutil.which("wrk"):
        print("wrk is not installed (apt-get install wrk)", file=sys.stderr)
        return 1

    png = drawing_png()
    if args.route == "api":
        route = (f"/api/predict?model={args.model}", png, "image/png", {})
    else:
        data_url = "data:image/png;base64," + base64.b64encode(png).decode()
        form = urllib.parse.urlencode({"image": data_url, "model": args.model}).encode()
        route = ("/read", form, "application/x-www-form-urlencoded", {"HX-Request": "true"})
    print(
        f"POST {route[0]} ({len(png)}-byte 280x280 drawing), wrk {seconds} s, {connections} connections, "
        f"2 threads, 127.0.0.1 only; {os.cpu_count()} CPU cores\n"
    )
    columns = ("requests/s", "p50 ms", "p99 ms", "errors", "non-2xx", "CPU ms")
    print(f"{'server':42} {columns[0]:>10} {' '.join(f'{name:>8}' for name in columns[1:])}  load avg")
    rates = []
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        for label, app, extra_args in servers:
            server = AppServer(workdir, args=extra_args, app=app)
            process, port = server.process, server.port
            try:
                for _ in range(20):  # warm-up: every worker has read a drawing before the clock starts
                    ask(port, "POST", route[0], route[1], {"Content-Type": route[2], **route[3]})
                load = " ".join(f"{value:.1f}" for value in os.getloadavg())
                cpu_before = cpu_seconds(process.pid)
                figures = run_wrk(port, route, seconds, connections, workdir)
                cpu_after = cpu_seconds(process.pid)
            finally:
                server.stop()
            rates.append(figures["rate"])
            cpu = "?" if cpu_before is None else f"{(cpu_after - cpu_before) / figures['requests'] * 1000:.1f}"
            print(
                f"{label:42} {figures['rate']:10.0f} {figures['p50_ms']:8.1f} {figures['p99_ms']:8.1f} "
                f"{figures['errors']:8d} {figures['non_2xx']:8d} {cpu:>8}  {load}",
                flush=True,
            )
    print(f"\npython app.py / waitress: {rates[1] / rates[0]:.2f}x the requests per second")
    if args.against:
        print(f"python app.py / --against: {rates[1] / rates[2]:.2f}x the requests per second")
    return 0


if __name__ == "__main__":
    sys.exit(main())
