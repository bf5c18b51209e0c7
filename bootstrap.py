"""First-run set-up for `python app.py`: when a requirement is missing, make a .venv beside the
app, install requirements.txt into it, and run the app again from there. Standard library only,
so it works before anything is installed, on Linux, macOS and Windows alike.
"""

import importlib.metadata
import os
import re
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"


def requirement_names(requirements: Path) -> list:
    """Distribution names in a requirements file, without versions, comments or -r lines."""
    names = []
    for line in requirements.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line and not line.startswith("-"):
            names.append(re.split(r"[<>=!~;\[ ]", line, maxsplit=1)[0])
    return names


def missing(requirements: Path) -> list:
    """The requirements that this Python cannot import the distribution of."""
    absent = []
    for name in requirement_names(requirements):
        try:
            importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            absent.append(name)
    return absent


def venv_python() -> Path:
    return VENV / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def ensure_requirements(requirements: Path = ROOT / "requirements.txt") -> None:
    """Return when everything is importable; otherwise install into .venv and re-run there."""
    absent = missing(requirements)
    if not absent:
        return
    if Path(sys.prefix).resolve() == VENV.resolve():
        print(f"Installing {', '.join(absent)} into {VENV} ...", flush=True)
        subprocess.check_call([sys.executable, "-m", "pip", "install", "-q", "-r", str(requirements)])
        return
    if not venv_python().exists():
        print(f"First run: creating {VENV} for {', '.join(absent)} ...", flush=True)
        venv.create(VENV, with_pip=True)
    subprocess.check_call([str(venv_python()), "-m", "pip", "install", "-q", "-r", str(requirements)])
    sys.exit(subprocess.call([str(venv_python()), *sys.argv]))
