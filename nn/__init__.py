"""The engine: chapter 3's network in NumPy, its layers, model files, MNIST data and evaluation.

Knows nothing of Flask, HTML or images from browsers; usable from a notebook as the book's code is.
"""

from nn.functions import identity
from nn.functions import relu
from nn.functions import sigmoid
from nn.functions import softmax
from nn.functions import softmax_naive
from nn.functions import step_function
from nn.model_files import Model
from nn.model_files import ModelError
from nn.model_files import load_model
from nn.model_files import load_models
from nn.network import Network
from nn.network import Trace

__all__ = [
    "Model",
    "ModelError",
    "Network",
    "Trace",
    "identity",
    "load_model",
    "load_models",
    "relu",
    "sigmoid",
    "softmax",
    "softmax_naive",
    "step_function",
]
