from pathlib import Path

import yaml
from django.conf import settings
from django.core.management.base import BaseCommand

from portal.art import draw_all
from portal.content import DATA_DIR

FILES = {
    "comuni": "comuni.yaml",
    "themes": "themes.yaml",
    "stories": "stories.yaml",
    "events": "events.yaml",
    "itineraries": "itineraries.yaml",
}


class Command(BaseCommand):
    help = "Draw the SVG illustrations of the portal's demo content (CC0) under static/portal/img."

    def handle(self, *args, **options):
        items = {}
        for kind, name in FILES.items():
            with open(DATA_DIR / name, encoding="utf-8") as handle:
                items[kind] = [spec["slug"] for spec in yaml.safe_load(handle)]
        out = Path(settings.BASE_DIR) / "static" / "portal" / "img"
        count = draw_all(out, items)
        self.stdout.write(f"{count} illustrations written to {out}")
