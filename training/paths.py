"""Paths as the commands that model cards and data files record should spell them: relative to the
project root, so that a recorded command runs from the root of any copy of the project."""

from pathlib import Path

from nn.paths import ROOT


def from_root(path: Path) -> str:
    """path relative to the project root when it lies inside it (however it was given: relative to
    the current folder or absolute), else the absolute path: that one exists on this machine only."""
    resolved = Path(path).resolve()
    try:
        return resolved.relative_to(ROOT).as_posix()
    except ValueError:
        return str(resolved)
