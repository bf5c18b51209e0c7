"""Where the project keeps its models: the one default that the app, the evaluation and the tools
share (the app's MODELS_DIR setting, `python -m nn evaluate --models-dir`)."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MODELS_DIR = ROOT / "models"
