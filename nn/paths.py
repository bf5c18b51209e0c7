"""Paths as the commands that model cards record should spell them: relative to the project root,
so that a card's command runs from the root of any copy of the project."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MODELS_DIR = ROOT / "models"


def from_root(path: Path) -> str:
    """path relative to the project root when it lies inside it (however it was given: relative to
    the current folder or absolute), else the absolute path: that one exists on this machine only."""
    resolved = Path(path).resolve()
    try:
        return resolved.relative_to(ROOT).as_posix()
    except ValueError:
        return str(resolved)
