"""Demo movement data 2023-2025 (generated, marked as demo), imported through the importer."""

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
    from .statutory_demo import seed as seed_statutory

    seed_statutory(context)
