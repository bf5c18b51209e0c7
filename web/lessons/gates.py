"""The numbers of the perceptron lesson (/learn/perceptron): logic gates as one neuron with the
book's hand-set weights, their truth tables through the step function and through the sigmoid.
NumPy here, nothing of Flask; the neuron is compute.neuron_output, the one lesson 2 shows."""

from dataclasses import dataclass

import numpy as np

from nn.functions import sigmoid
from nn.functions import step_function
from web.filters import fixed
from web.lessons.compute import neuron_output

INPUTS = np.array([[0, 0], [1, 0], [0, 1], [1, 1]], dtype=np.float32)  # the truth table's rows (x1, x2)
GATES = {  # what each gate answers for the rows of INPUTS
    "and": (0, 0, 0, 1),
    "or": (0, 1, 1, 1),
    "nand": (1, 1, 1, 0),
}


def gate_weights(gate: str) -> tuple:
    """The book's hand-set weights (w1, w2) and bias b of each gate (chapter 2, 2.3)."""
    return {
        "and": ((0.5, 0.5), -0.7),
        "or": ((0.5, 0.5), -0.2),
        "nand": ((-0.5, -0.5), 0.7),
    }[gate]


def truth_table(w: np.ndarray, b: float) -> tuple:
    """For the four inputs (0, 0), (1, 0), (0, 1), (1, 1): a = b + w1*x1 + w2*x2, the
    perceptron's step(a), and the same neuron with the sigmoid: (a, step, sigmoid), each (4,)."""
    a, y_step = neuron_output(INPUTS, w, b, step_function)
    _, y_sigmoid = neuron_output(INPUTS, w, b, sigmoid)
    return a, y_step, y_sigmoid


@dataclass
class Row:
    x1: int
    x2: int
    a: str
    step: int
    wanted: int  # what the chosen gate answers
    sigmoid: str
    sigmoid_exact: str


@dataclass
class Table:
    rows: list
    computes: str | None  # the gate these weights compute, None for none of them
    matches: bool  # the step outputs are the chosen gate's


def gate_table(gate: str, w: np.ndarray, b: float) -> Table:
    """The truth table of the neuron (w, b) next to what `gate` should answer."""
    a, y_step, y_sigmoid = truth_table(w, b)
    steps = tuple(int(y) for y in y_step)
    rows = [
        Row(int(x1), int(x2), fixed(a[i]), steps[i], GATES[gate][i], fixed(y_sigmoid[i]), f"{float(y_sigmoid[i]):.9g}")
        for i, (x1, x2) in enumerate(INPUTS)
    ]
    computes = next((name for name, answers in GATES.items() if answers == steps), None)
    return Table(rows, computes, steps == GATES[gate])


def parameter_count(params: dict) -> int:
    """How many weights and biases a network has: every number a training must find."""
    return sum(int(array.size) for array in params.values())


@dataclass
class Column:
    x: float
    dots: list  # y coordinates of the neurons drawn
    more: bool  # more neurons than drawn: a "⋮" between
    size: int
    kind: str  # "input", "hidden", "output"


def layer_columns(sizes: list, height: int = 180, width: int = 520, shown: int = 6) -> list:
    """The layer picture's columns, layer 0 (the input) to the output: at most `shown` neurons
    drawn in each, and a "⋮" where there are more."""
    step = (width - 80) / max(len(sizes) - 1, 1)
    columns = []
    for i, n in enumerate(sizes):
        count = min(n, shown)
        gap = (height - 20) / max(count, 1)
        dots = [round(12 + gap * (k + 0.5), 1) for k in range(count)]
        kind = "input" if i == 0 else "output" if i == len(sizes) - 1 else "hidden"
        columns.append(Column(round(40 + i * step, 1), dots, n > count, n, kind))
    return columns
