"""Parameter updates of chapter 6 (SGD with momentum, Adam), weight decay and learning-rate
schedules. Updates work in place on the params dict, so the Network sees them at once.
"""

import math

import numpy as np


class Momentum:
    """v = momentum * v - lr * (grad + weight_decay * W); W += v. Decay (L2) applies to weights
    only: shrinking biases does not fight overfitting."""

    def __init__(self, momentum: float = 0.9, weight_decay: float = 0.0):
        self.momentum = momentum
        self.weight_decay = weight_decay
        self.v = None

    def update(self, params: dict, grads: dict, lr: float) -> None:
        if self.v is None:
            self.v = {key: np.zeros_like(val) for key, val in params.items()}
        for key in params:
            g = grads[key]
            if key.startswith("W") and self.weight_decay:
                g = g + self.weight_decay * params[key]
            self.v[key] *= self.momentum
            self.v[key] -= np.float32(lr) * g
            params[key] += self.v[key]


class Adam:
    """Adam with bias correction; weight decay is decoupled (AdamW): W shrinks by lr * decay each
    step, outside the adaptive scaling, so that every weight decays at the same rate."""

    def __init__(self, beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8, weight_decay: float = 0.0):
        self.beta1, self.beta2, self.eps = beta1, beta2, eps
        self.weight_decay = weight_decay
        self.iter = 0
        self.m = self.v = None

    def update(self, params: dict, grads: dict, lr: float) -> None:
        if self.m is None:
            self.m = {key: np.zeros_like(val) for key, val in params.items()}
            self.v = {key: np.zeros_like(val) for key, val in params.items()}
        self.iter += 1
        lr_t = lr * math.sqrt(1.0 - self.beta2**self.iter) / (1.0 - self.beta1**self.iter)
        for key in params:
            g = grads[key]
            self.m[key] += (1.0 - self.beta1) * (g - self.m[key])
            self.v[key] += (1.0 - self.beta2) * (g * g - self.v[key])
            if key.startswith("W") and self.weight_decay:
                params[key] *= np.float32(1.0 - lr * self.weight_decay)
            params[key] -= np.float32(lr_t) * self.m[key] / (np.sqrt(self.v[key]) + np.float32(self.eps))


def make_optimizer(name: str, weight_decay: float = 0.0, momentum: float = 0.9):
    """'adam', or 'sgd'/'momentum' (SGD with momentum)."""
    if name == "adam":
        return Adam(weight_decay=weight_decay)
    if name in ("sgd", "momentum"):
        return Momentum(momentum=momentum, weight_decay=weight_decay)
    raise ValueError(f"unknown optimizer {name!r}; known: adam, sgd, momentum")


def learning_rate(schedule: str, lr: float, step: int, total: int, warmup: int = 0) -> float:
    """The rate for step (0-based) of total: 'constant', 'cosine' (down to 0 at the end) or
    'step' (x0.1 at half and again at three quarters), after a linear warm-up of warmup steps."""
    if step < warmup:
        return lr * (step + 1) / warmup
    if schedule == "constant":
        return lr
    progress = (step - warmup) / max(1, total - warmup)
    if schedule == "cosine":
        return lr * 0.5 * (1.0 + math.cos(math.pi * progress))
    if schedule == "step":
        return lr * (0.1 if progress >= 0.5 else 1.0) * (0.1 if progress >= 0.75 else 1.0)
    raise ValueError(f"unknown schedule {schedule!r}; known: constant, cosine, step")
