from decimal import Decimal

from django.db import migrations

COMUNI = [
    ("Altopascio", "046001", "A241", "43.8162", "10.6769"),
    ("Capannori", "046007", "B648", "43.8425", "10.5729"),
    ("Lucca", "046017", "E715", "43.8430", "10.5079"),
    ("Montecarlo", "046021", "F452", "43.8514", "10.6683"),
    ("Porcari", "046026", "G882", "43.8385", "10.6157"),
    ("Villa Basilica", "046034", "L913", "43.9284", "10.6452"),
]


def add_comuni(apps, schema_editor):
    Comune = apps.get_model("places", "Comune")
    for name, istat, cadastral, lat, lng in COMUNI:
        Comune.objects.update_or_create(
            istat_code=istat,
            defaults={
                "name": name,
                "cadastral_code": cadastral,
                "province": "LU",
                "in_destination": True,
                "latitude": Decimal(lat),
                "longitude": Decimal(lng),
            },
        )


class Migration(migrations.Migration):
    dependencies = [("places", "0001_initial")]
    operations = [migrations.RunPython(add_comuni, migrations.RunPython.noop)]
