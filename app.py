"""Digit reader: draw a digit, watch a NumPy network read it.

`python app.py` serves the app on http://127.0.0.1:5000 with gunicorn, one gevent worker process
per CPU core (waitress, in one process, on Windows); on first run it installs what is missing
into .venv.
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
import os  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

from flask import Flask  # noqa: E402

ROOT = Path(__file__).resolve().parent


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
    # Every key the app's modules read, once, with its default.
    app.config.from_mapping(
        # Folder of NAME.npz + NAME.json models; the list of models is its content (web/models.py).
        MODELS_DIR=str(ROOT / "models"),
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
    )
    app.config.from_prefixed_env("DIGITS")
    if test_config:
        app.config.update(test_config)

    from web import api
    from web import classes
    from web import draw
    from web import errors
    from web import filters
    from web import i18n
    from web import inside
    from web import json_provider
    from web import learn
    from web import learn_data  # noqa: F401  (registers /learn/batches and /learn/test-set)
    from web import security
    from web.models import remember_model
    from web.present import presenting
    from web.present import remember_presenting
    from web.present import toggle_fields

    app.register_blueprint(api.bp)
    app.register_blueprint(draw.bp)
    app.register_blueprint(inside.bp)
    app.register_blueprint(learn.bp)
    json_provider.init_app(app)
    i18n.init_app(app)
    filters.init_app(app)
    app.jinja_env.globals.update(presenting=presenting, present_toggle=toggle_fields)
    classes.init_app(app)
    app.after_request(remember_model)
    app.after_request(remember_presenting)
    security.init_app(app)
    errors.init_app(app)
    return app


SERVERS = ("gunicorn", "waitress")


def choose_server(asked: str | None, os_name: str = os.name) -> tuple[str, str | None]:
    """(server, notice): gunicorn's pre-fork workers by default; waitress where fork does not exist."""
    if os_name == "nt" and asked != "waitress":
        return "waitress", "NOTICE: Windows cannot run a pre-fork server; serving with waitress in one process."
    return asked or "gunicorn", None


def preload(app: Flask) -> None:
    """Load what requests read (the models, the MNIST test set) before serving, not on the first request.

    Under gunicorn this runs once in the main process before the workers fork, so every worker
    starts with them in memory (shared copy-on-write).
    """
    from nn.mnist import DataError
    from web.models import all_models
    from web.samples import test_set

    with app.app_context():
        all_models()
        try:
            test_set()
        except DataError as exc:  # its pages answer a clean 500; the drawing page and the API still serve
            app.logger.warning("MNIST test set not loaded: %s", exc)


def serve_prefork(app: Flask, host: str, port: int, workers: int) -> None:
    """gunicorn with gevent workers: one process per core, each with evented I/O.

    gevent reads every connection in its own greenlet, so clients that send their request slowly
    or not at all wait without holding a worker (sync or thread workers would be stuck on them);
    the reading itself (NumPy, Pillow) runs to the end without yielding, a few ms per request.
    gunicorn's gevent worker patches the standard library itself when it starts, after the fork;
    that is early enough: before it the app opens no socket and starts no thread, and the locks
    made before it (logging's) are never held across a wait on the network.
    """
    from gunicorn.app.base import BaseApplication  # imports fcntl: not on Windows

    class PreforkServer(BaseApplication):
        """gunicorn run from Python with its settings as a dict: no command line, no config file."""

        def load_config(self) -> None:
            for key, value in options.items():
                if key in self.cfg.settings:  # older gunicorn lacks control_socket_disable
                    self.cfg.set(key, value)

        def load(self) -> Flask:
            return app

    bind = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    options = {
        "bind": [bind],
        "workers": workers,
        "worker_class": "gevent",
        "preload_app": True,  # the app (and what preload() loaded) is made once, then forked
        "keepalive": 0,  # a request per connection: each waits its turn in the kernel's queue (notes/serving.md)
        "graceful_timeout": 5,  # SIGTERM: idle and slow connections do not hold the stop for 30 s
        "control_socket_disable": True,  # no runtime control socket in ~/.gunicorn shared by every run
    }
    PreforkServer().run()


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
        help="gunicorn (pre-fork, the default) or waitress (one process with threads; the default on Windows)",
    )
    parser.add_argument("--threads", type=int, default=8, help="waitress's threads (default 8; waitress only)")
    args = parser.parse_args(argv)
    if args.workers is not None and args.workers < 1:
        parser.error("--workers must be at least 1")
    server, notice = choose_server(args.server)
    if notice:
        print(notice)
    workers = args.workers or os.cpu_count() or 1
    if server == "waitress":
        if args.workers and args.workers > 1:
            print("NOTICE: waitress serves from one process; --workers is ignored.")
        workers = 1

    config = {"LISTEN_HOST": args.host} | ({"DEFAULT_MODEL": args.model} if args.model else {})
    app = create_app(config)
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
    preload(app)
    if args.host in ("0.0.0.0", "::"):
        print(
            "NOTICE: listening on every network interface: anyone on this network can open the app "
            f"at http://<this computer's address>:{args.port}/ (use --host 127.0.0.1 to keep it local)."
        )
    processes = f"{workers} worker processes" if workers > 1 else "1 process"
    print(
        f"Digit reader on http://{'127.0.0.1' if args.host in ('0.0.0.0', '::') else args.host}:{args.port}/ "
        f"({server}, {processes}; Ctrl+C to stop)",
        flush=True,
    )
    if server == "gunicorn":
        serve_prefork(app, args.host, args.port, workers)
    else:
        import waitress

        waitress.serve(app, host=args.host, port=args.port, threads=args.threads, ident="digit-reader")
    return 0


if __name__ == "__main__":
    sys.exit(main())
