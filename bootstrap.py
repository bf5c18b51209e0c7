"""First-run set-up for `python app.py`: when a requirement is missing, make a .venv beside the
app, install requirements.txt into it, and run the app again from there. Standard library only,
so it works before anything is installed, on Linux, macOS and Windows alike.
"""

import ast
import importlib.metadata
import os
import platform
import re
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"


MARKER_VALUES = {
    "platform_machine": platform.machine(),
    "platform_system": platform.system(),
    "sys_platform": sys.platform,
    "os_name": os.name,
}
MARKER_TESTS = {
    ast.Eq: str.__eq__,
    ast.NotEq: str.__ne__,
    ast.In: lambda a, b: a in b,
    ast.NotIn: lambda a, b: a not in b,
}


def marker_holds(marker: str) -> bool:
    """Whether an environment marker (`platform_machine == "x86_64" or ...`) holds here: the
    names above compared with ==, !=, in, not in, joined by and/or. Anything else counts as
    holding, and pip decides."""

    def value(node: ast.expr) -> str:
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return node.value
        return MARKER_VALUES[node.id]  # a Name; KeyError or AttributeError otherwise

    def holds(node: ast.expr) -> bool:
        if isinstance(node, ast.BoolOp):
            results = [holds(each) for each in node.values]
            return all(results) if isinstance(node.op, ast.And) else any(results)
        (op,), (right,) = node.ops, node.comparators
        return MARKER_TESTS[type(op)](value(node.left), value(right))

    try:
        return holds(ast.parse(marker.strip(), mode="eval").body)
    except (SyntaxError, KeyError, AttributeError, ValueError):
        return True


def requirement_names(requirements: Path) -> list:
    """Distribution names in a requirements file, without versions, comments or -r lines, nor
    those whose environment marker rules this machine out."""
    names = []
    for line in requirements.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line and not line.startswith("-"):
            requirement, _, marker = line.partition(";")
            if not marker or marker_holds(marker):
                names.append(re.split(r"[<>=!~\[ ]", requirement, maxsplit=1)[0])
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
    """Return when everything is importable; otherwise run again with .venv's Python (made on
    first use), which installs what it lacks and returns. On Linux and macOS the process becomes
    that Python (exec), so the process the user started is the server: a signal to it stops the
    server, and no installer runs when nothing is missing."""
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
    again = [str(venv_python()), *sys.argv]
    if os.name == "nt":  # Windows has no exec that keeps the process: wait for the new one
        sys.exit(subprocess.call(again))
    os.execv(again[0], again)
