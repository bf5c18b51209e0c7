"""Image algorithms on NumPy arrays that both the app's preprocessing and the engine's training
code use, written once: Zhang-Suen thinning, connected pieces of ink, 3x3 grey-level dilation and
erosion, the ink box and centre of mass, and the constants of MNIST's framing.

NumPy only, and it imports nothing of this project: preprocess/ (the app) and nn/ (the engine)
both import it, and neither has to import the other for it.
"""
