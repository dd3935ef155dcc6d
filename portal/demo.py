"""Demo content of the portal (run by `manage.py seed_demo` after the catalogue exists)."""

from .content import portal_content_load


def seed(context: dict) -> None:
    context["portal"] = portal_content_load()
