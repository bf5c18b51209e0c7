"""Digit reader: draw a digit, watch a NumPy network read it.

`python app.py` serves the app on http://127.0.0.1:5000 with granian, one worker process per CPU
core (waitress, in one process, on Windows); on first run it installs what is missing into .venv.
"""

if __name__ == "__main__":
    import os

    # Each reading is a small matrix product and requests already run in parallel (a worker
    # process per core, or waitress's threads); BLAS threads on top of those fight for the same
    # cores (python -m bench.api_latency, default model, 4 connections, waitress: 175 requests/s
    # with BLAS's own threads, 278 with one). Set before NumPy loads; a value given by the user wins.
    for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(name, "1")

    from bootstrap import ensure_requirements

    ensure_requirements()

import argparse  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

from flask import Flask  # noqa: E402

from classroom.store import Limits  # noqa: E402

ROOT = Path(__file__).resolve().parent
AS_WRITTEN = ("LECTURER_PASSWORD", "SECRET_KEY")  # DIGITS_* settings taken as written, never parsed as JSON


def create_app(test_config: dict | None = None) -> Flask:
    """The app factory: defaults, then DIGITS_* environment variables, then test_config."""
    # The instance folder (the classroom's SQLite file, the session signing key) may be moved.
    instance_path = (test_config or {}).get("INSTANCE_PATH") or os.environ.get("DIGITS_INSTANCE_PATH")
    app = Flask(
        __name__,
        static_folder=str(ROOT / "static"),
        template_folder=str(ROOT / "templates"),
        instance_path=str(Path(instance_path).resolve()) if instance_path else None,
    )
    from nn.paths import MODELS_DIR

    # Every key the app's modules read, once, with its default.
    app.config.from_mapping(
        # Folder of NAME.npz + NAME.json models; the list of models is its content (web/models.py).
        MODELS_DIR=str(MODELS_DIR),
        # {name: nn.Model} used instead of MODELS_DIR when set (tests and benchmarks inject networks).
        MODELS=None,
        # The model the pages and the API use unless asked for another; else the first by name.
        DEFAULT_MODEL="default",
        # Folder of the MNIST test set's IDX files, for the samples (web/samples.py).
        MNIST_DIR=str(ROOT / "data" / "mnist"),
        # Largest request body in bytes; a larger drawing answers 413 (Flask's own key).
        MAX_CONTENT_LENGTH=8 * 1024 * 1024,
        # Where the .po catalogs are compiled to .mo at start (web/i18n.py); build/ is not committed.
        TRANSLATIONS_BUILD_DIR=str(ROOT / "build" / "translations"),
        # Where static/ is copied at start under content-hashed names, compressed (web/static_files.py).
        STATIC_BUILD_DIR=str(ROOT / "build" / "static"),
        # Classroom mode (web/classroom/): its database, a SQLite file in the instance folder unless
        # DATABASE_URL names one (PostgreSQL for several servers); the session signing key, else
        # made once in the instance folder (several app servers share one: DIGITS_SECRET_KEY).
        DATABASE_URL=None,
        # Seconds a request waits at most for the database (to connect, for a statement or a lock,
        # for a free connection) before it answers 503: a stopped database never hangs a request.
        DATABASE_TIMEOUT=5,
        SECRET_KEY=None,
        LISTEN_HOST=None,  # the address `python app.py` listens on: the board's join address follows it
        # Reverse proxies in front of the app whose X-Forwarded-For, -Proto and -Host are believed
        # (web/security.py); 0: none, those headers are ignored.
        TRUSTED_PROXIES=0,
        SESSION_COOKIE_SAMESITE="Lax",
        # A class holds at most this many drawings; a device sends at most RATE_COUNT in RATE_SECONDS.
        CLASS_MAX_DRAWINGS=Limits.max_drawings,
        CLASS_RATE_COUNT=Limits.per_device,
        CLASS_RATE_SECONDS=Limits.seconds,
        CLASS_MAX_IMAGE_BYTES=512 * 1024,  # a student's drawing; larger answers 413
        CLASS_GALLERY=120,  # the board shows the newest this many drawings
        CLASS_BOARD_FRESH_SECONDS=0.5,  # a board render is reused this long (web/classroom/lecturer.py)
        # Classes started more than this many days ago are pruned (web/classroom/prune.py), by the app
        # itself at most every CLASS_PRUNE_INTERVAL seconds across all processes; 0 keeps every class.
        CLASS_RETENTION_DAYS=30,
        CLASS_PRUNE_INTERVAL=3600,
        # When set, starting a class asks for it (web/classroom/guard.py); a device may try
        # LECTURER_PASSWORD_TRIES wrong ones in LECTURER_PASSWORD_SECONDS, then answers 429.
        LECTURER_PASSWORD=None,
        LECTURER_PASSWORD_TRIES=5,
        LECTURER_PASSWORD_SECONDS=600,
        # A client address asking for this many class codes that do not exist in CLASS_LOOKUP_SECONDS
        # gets 429 for codes its browser has not reached before (a scanner of codes).
        CLASS_LOOKUP_MISSES=20,
        CLASS_LOOKUP_SECONDS=60,
    )
    app.config.from_prefixed_env("DIGITS")
    for key in AS_WRITTEN:  # from_prefixed_env reads a password such as "1234" as a number
        if os.environ.get(f"DIGITS_{key}"):
            app.config[key] = os.environ[f"DIGITS_{key}"]
    if test_config:
        app.config.update(test_config)

    from web import errors
    from web import filters
    from web import health
    from web import i18n
    from web import json_provider
    from web import lessons
    from web import security
    from web import static_files
    from web.classroom import init_app as init_classroom
    from web.drawing import api
    from web.drawing import page as drawing
    from web.inside import views as inside
    from web.models import remember_model
    from web.present import presenting
    from web.present import remember_presenting
    from web.present import toggle_fields
    from web.render import compress

    app.register_blueprint(drawing.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(inside.bp)
    app.register_blueprint(lessons.bp)
    app.register_blueprint(health.bp)
    init_classroom(app)
    json_provider.init_app(app)
    i18n.init_app(app)
    filters.init_app(app)
    app.jinja_env.globals.update(presenting=presenting, present_toggle=toggle_fields)
    app.after_request(remember_model)
    app.after_request(remember_presenting)
    # Every page and fragment of 1400 bytes or more gzipped for a client that takes it (the inside
    # page's charts, the board, a student's page on a crowded Wi-Fi); static files are WhiteNoise's.
    app.after_request(compress)
    static_files.init_app(app, security.static_file_headers)
    security.init_app(app)  # last: its ProxyFix wraps everything, WhiteNoise's files included
    errors.init_app(app)
    return app


SERVERS = ("granian", "waitress")


def choose_server(asked: str | None, os_name: str = os.name) -> tuple[str, str | None]:
    """(server, notice): granian's worker processes by default; waitress on Windows, where granian
    runs a single worker (its sockets there cannot be shared between processes)."""
    if os_name == "nt" and asked != "waitress":
        return "waitress", "NOTICE: on Windows the app is served by waitress in one process (no worker processes)."
    return asked or "granian", None


def preload(app: Flask) -> None:
    """Load what requests read (the models, the MNIST test set) before serving, not on the first request."""
    from nn.mnist import DataError
    from web.models import all_models
    from web.samples import test_set

    with app.app_context():
        all_models()
        try:
            test_set()
        except DataError as exc:  # its pages answer a clean 500; the drawing page and the API still serve
            app.logger.warning("MNIST test set not loaded: %s", exc)


def served_app() -> Flask:
    """What each granian worker serves: the app made from the environment (main() puts its options
    there as DIGITS_* variables), its models and test set loaded before the first request."""
    app = create_app()
    preload(app)
    return app


def served_rsgi_app():
    """served_app() as granian serves it: over RSGI, each request's body read whole first."""
    from web.buffered_rsgi import BufferedWSGI

    return BufferedWSGI(served_app())


def serve_workers(app: Flask, host: str, port: int, workers: int) -> None:
    """granian: HTTP is read and written by Rust (tokio and hyper); a worker's event loop waits for
    each request's whole body (web/buffered_rsgi.py), so clients that send slowly or not at all
    hold nothing; then the worker runs the app in its one thread (one reading at a time, a core
    each).

    Where processes start by fork (Linux), the workers are forked from this process and serve
    `app` as it is, models and test set already loaded: one copy of the weights in memory and in
    the CPU's shared cache for all workers. Elsewhere each worker makes its own by
    served_rsgi_app().
    """
    import gc
    import multiprocessing

    from granian import Granian
    from granian.constants import Interfaces
    from granian.constants import RuntimeModes
    from granian.log import LogLevels

    from web.buffered_rsgi import BufferedWSGI

    server = Granian(
        "app:served_rsgi_app",
        factory=True,
        working_dir=ROOT,
        address=host,
        port=port,
        interface=Interfaces.RSGI,
        workers=workers,
        runtime_mode=RuntimeModes.st,  # one I/O thread per worker (notes/serving.md)
        log_level=LogLevels.warning,
        workers_kill_timeout=5,  # SIGTERM: a stalled upload does not hold the stop (granian would wait for it)
        # A worker that dies (SIGKILL, a crash in a C library, the out-of-memory killer) is replaced at
        # once, forked again from this process; without this granian stops the whole server. One that
        # dies again within 5.5 s of being replaced is a crash loop: granian then exits (status 1).
        respawn_failed_workers=True,
    )
    if multiprocessing.get_start_method() == "fork":
        served = BufferedWSGI(app)
        gc.freeze()  # what is loaded now stays: the workers' collections skip it and never copy its pages
        server.serve(target_loader=lambda _target: served)
    else:
        server.serve()


def main(argv: list | None = None) -> int:
    parser = argparse.ArgumentParser(description="Serve the digit reader.")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (0.0.0.0: the whole network)")
    parser.add_argument("--port", type=int, default=5000)
    parser.add_argument("--model", help="the model the pages use unless the user picks another")
    parser.add_argument(
        "--workers", type=int, help=f"worker processes (default: one per CPU core, here {os.cpu_count() or 1})"
    )
    parser.add_argument(
        "--server",
        choices=SERVERS,
        help="granian (worker processes, the default) or waitress (one process with threads; the default on Windows)",
    )
    parser.add_argument("--threads", type=int, default=8, help="waitress's threads (default 8; waitress only)")
    parser.add_argument(
        "--trusted-proxies",
        type=int,
        metavar="N",
        help="behind N reverse proxies (e.g. 1 for nginx): believe their X-Forwarded-For, -Proto and -Host "
        "(default 0, or DIGITS_TRUSTED_PROXIES: those headers are ignored)",
    )
    args = parser.parse_args(argv)
    if args.workers is not None and args.workers < 1:
        parser.error("--workers must be at least 1")
    if args.trusted_proxies is not None and args.trusted_proxies < 0:
        parser.error("--trusted-proxies must be 0 or more")
    server, notice = choose_server(args.server)
    if notice:
        print(notice)
    workers = args.workers or os.cpu_count() or 1
    if server == "waitress":
        if args.workers and args.workers > 1:
            print("NOTICE: waitress serves from one process; --workers is ignored.")
        workers = 1

    # The options reach create_app() as configuration from the environment, here and in every worker.
    os.environ["DIGITS_LISTEN_HOST"] = json.dumps(args.host)
    if args.model:
        os.environ["DIGITS_DEFAULT_MODEL"] = json.dumps(args.model)
    if args.trusted_proxies is not None:
        os.environ["DIGITS_TRUSTED_PROXIES"] = json.dumps(args.trusted_proxies)
    app = create_app()
    with app.app_context():
        from nn import ModelError
        from web.models import all_models

        try:
            models = all_models()  # loaded before serving: a broken folder stops here, not on a request
        except ModelError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        if args.model and args.model not in models:
            print(f"error: no model {args.model!r}; shipped: {', '.join(models)}", file=sys.stderr)
            return 2
    if args.host in ("0.0.0.0", "::"):
        print(
            "NOTICE: listening on every network interface: anyone on this network can open the app "
            f"at http://<this computer's address>:{args.port}/ (use --host 127.0.0.1 to keep it local)."
        )
    processes = "1 process" if server == "waitress" else f"{workers} worker process{'es' if workers > 1 else ''}"
    print(
        f"Digit reader on http://{'127.0.0.1' if args.host in ('0.0.0.0', '::') else args.host}:{args.port}/ "
        f"({server}, {processes}; Ctrl+C to stop)",
        flush=True,
    )
    preload(app)
    if server == "granian":
        serve_workers(app, args.host, args.port, workers)
    else:
        import waitress

        waitress.serve(app, host=args.host, port=args.port, threads=args.threads, ident="digit-reader")
    return 0


if __name__ == "__main__":
    sys.exit(main())
