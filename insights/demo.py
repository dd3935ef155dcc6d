"""Demo movement data 2023-2025 (generated, marked as demo), imported through the importer."""

from django.utils import timezone

from .demo_data import generate_rows, to_csv
from .importer import movement_import
from .models import MovementImport


def seed(context: dict) -> None:
    for year in (2023, 2024, 2025):
        name = f"demo-movimento-{year}.csv"
        if MovementImport.objects.filter(filename=name, is_demo=True).exists():
            continue
        movement_import(
            filename=name, content=to_csv(generate_rows(years=[year], seed=year)), is_demo=True
        )
    # The year in progress up to last month, as the regional office publishes it.
    today = timezone.localdate()
    name = f"demo-movimento-{today.year}-{today.month - 1:02d}.csv"
    if (
        today.year > 2025
        and today.month > 1
        and not MovementImport.objects.filter(filename=name).exists()
    ):
        rows = [
            r
            for r in generate_rows(years=[today.year], seed=today.year, growth={today.year: 1.09})
            if r[1] < today.month
        ]
        movement_import(filename=name, content=to_csv(rows), is_demo=True)
    from .statutory_demo import seed as seed_statutory

    seed_statutory(context)
