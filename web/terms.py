"""The app's own terms in the page's language: one translated name each, for every page that shows it."""

from web.i18n import gettext as _


def activation_names() -> dict:
    """{code name: the activation's name in the page's language} (the book's terms)."""
    return {"step": _("step function"), "sigmoid": _("sigmoid"), "relu": _("ReLU"), "identity": _("identity function")}
