"""The read model's UPDATE triggers become row-level (fired only when what is left or whether
a slot or night is open changed) and every recomputation locks its (product, day) first."""

from django.db import migrations

from operators import readmodel


def install(apps, schema_editor):
    readmodel.install(schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("operators", "0011_search_comune_kind_sort_indexes"),
    ]

    operations = [
        # Going back keeps the new triggers: the earlier ones computed the same rows.
        migrations.RunPython(install, migrations.RunPython.noop),
    ]
