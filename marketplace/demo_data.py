"""The one loader of demo data files: each app keeps its demo content as YAML in
`<app>/demo_data/<name>.yaml`, and its `demo.py` turns it into rows (`manage.py seed_demo`)."""

from pathlib import Path

import yaml
from django.apps import apps


def demo_data(app_label: str, name: str):
    """The parsed content of `<app>/demo_data/<name>.yaml` (safe YAML: plain data only)."""
    path = Path(apps.get_app_config(app_label).path) / "demo_data" / f"{name}.yaml"
    with path.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)
