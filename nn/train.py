"""Placeholder: filled in by the train work."""


def add_arguments(parser):
    pass


def run(args):
    raise SystemExit("not yet implemented")
