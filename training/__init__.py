"""The training toolchain beside the engine: the loop and its optimizers, the distortions and
pen drawings that make MNIST look like canvas drawings, and the MNIST download.

Uses `nn/` (the network it trains), `imaging/` and `preprocess/` (to frame digits as the app
does); the app's request path needs none of it. Command line: python -m training --help.
"""
