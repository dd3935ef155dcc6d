"""Run every benchmark module in bench/ (files named bench_*.py, each with a `run()` function
that prints its figures). Benchmarks are not tests: they never fail on noise.

Usage: python bench/run.py [name ...]   (DATABASE_URL selects the database, as everywhere)
"""

import importlib.util
import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "marketplace.settings.dev")


def main(names):
    import django

    django.setup()
    modules = sorted(HERE.glob("bench_*.py"))
    if names:
        modules = [m for m in modules if any(n in m.stem for n in names)]
    if not modules:
        print("no benchmarks yet")
        return
    for path in modules:
        spec = importlib.util.spec_from_file_location(path.stem, path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        print(f"== {path.stem} ==")
        module.run()


if __name__ == "__main__":
    main(sys.argv[1:])
