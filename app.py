"""Digit reader: draw a digit, watch a NumPy network read it.

`python app.py` serves the app on http://127.0.0.1:5000 with waitress (a production WSGI server
that also runs on Windows and macOS); on first run it installs what is missing into .venv.
"""

if __name__ == "__main__":
    import os

    # Each reading is a small matrix product and waitress already serves requests on parallel
    # threads; BLAS threads on top of those fight for the same cores (python -m bench.api_latency, default
    # model, 4 connections: 175 requests/s with BLAS's own threads, 278 with one). Set before NumPy
    # loads; a value given by the user wins.
    for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(name, "1")

    from bootstrap import ensure_requirements

    ensure_requirements()

import argparse  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

from flask import Flask  # noqa: E402

ROOT = Path(__file__).resolve().parent


def create_app(test_config: dict | None = None) -> Flask:
    """The app factory: defaults, then DIGITS_* environment variables, then test_config."""
    app = Flask(__name__, static_folder=str(ROOT / "static"), template_folder=str(ROOT / "templates"))
    app.config.from_mapping(
        MODELS_DIR=str(ROOT / "models"),
        DEFAULT_MODEL="default",
        MAX_CONTENT_LENGTH=8 * 1024 * 1024,
        TRANSLATIONS_BUILD_DIR=str(ROOT / "build" / "translations"),
    )
    app.config.from_prefixed_env("DIGITS")
    if test_config:
        app.config.update(test_config)

    from web import api
    from web import draw
    from web import filters
    from web import i18n
    from web import inside
    from web import learn
    from web import learn_data  # noqa: F401  (registers /learn/batches and /learn/test-set)
    from web.models import remember_model
    from web.present import presenting
    from web.present import remember_presenting
    from web.present import toggle_fields

    app.register_blueprint(api.bp)
    app.register_blueprint(draw.bp)
    app.register_blueprint(inside.bp)
    app.register_blueprint(learn.bp)
    i18n.init_app(app)
    filters.init_app(app)
    app.jinja_env.globals.update(presenting=presenting, present_toggle=toggle_fields)
    app.after_request(remember_model)
    app.after_request(remember_presenting)
    return app


def main(argv: list | None = None) -> int:
    parser = argparse.ArgumentParser(description="Serve the digit reader.")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (0.0.0.0: the whole network)")
    parser.add_argument("--port", type=int, default=5000)
    parser.add_argument("--model", help="the model the pages use unless the user picks another")
    parser.add_argument("--threads", type=int, default=8, help="worker threads (default 8)")
    args = parser.parse_args(argv)

    import waitress

    config = {"DEFAULT_MODEL": args.model} if args.model else None
    app = create_app(config)
    with app.app_context():
        from web.models import all_models

        models = all_models()
        if args.model and args.model not in models:
            print(f"error: no model {args.model!r}; shipped: {', '.join(models)}", file=sys.stderr)
            return 2
    if args.host in ("0.0.0.0", "::"):
        print(
            "NOTICE: listening on every network interface: anyone on this network can open the app "
            f"at http://<this computer's address>:{args.port}/ (use --host 127.0.0.1 to keep it local)."
        )
    print(
        f"Digit reader on http://{'127.0.0.1' if args.host in ('0.0.0.0', '::') else args.host}:{args.port}/ "
        f"(Ctrl+C to stop)",
        flush=True,
    )
    waitress.serve(app, host=args.host, port=args.port, threads=args.threads, ident="digit-reader")
    return 0


if __name__ == "__main__":
    sys.exit(main())
