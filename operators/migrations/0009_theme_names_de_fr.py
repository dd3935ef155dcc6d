"""German and French names of the themes (0002 and the portal's content gave only Italian and
English, so /de/ and /fr/ listed "Culture", "Legends and traditions"... in English).
Only empty names are filled: a name the DMC has since typed stays."""

from django.db import migrations

NAMES = {
    "culture": ("Kultur", "Culture"),
    "legends-traditions": ("Legenden und Bräuche", "Légendes et traditions"),
    "food-wine": ("Essen und Wein", "Gastronomie et vin"),
    "crafts": ("Handwerk", "Artisanat"),
    "nature-outdoor": ("Natur und Outdoor", "Nature et plein air"),
    "cycling": ("Radfahren", "Vélo"),
    "wellness": ("Wellness", "Bien-être"),
    "events": ("Veranstaltungen", "Événements"),
    "mice": ("MICE", "MICE"),
    "weddings": ("Hochzeiten", "Mariages"),
    "villas-gardens": ("Villen und Gärten", "Villas et jardins"),
    "music-puccini": ("Musik und Puccini", "Musique et Puccini"),
}


def fill(apps, schema_editor):
    Theme = apps.get_model("operators", "Theme")
    for theme in Theme.objects.filter(slug__in=NAMES):
        de, fr = NAMES[theme.slug]
        changed = []
        if not theme.name_de:
            theme.name_de = de
            changed.append("name_de")
        if not theme.name_fr:
            theme.name_fr = fr
            changed.append("name_fr")
        if changed:
            theme.save(update_fields=changed)


class Migration(migrations.Migration):
    dependencies = [("operators", "0008_catalogue_title_indexes")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
