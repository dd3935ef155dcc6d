from django.db import migrations

THEMES = [
    ("culture", "Cultura", "Culture"),
    ("legends-traditions", "Leggende e tradizioni", "Legends and traditions"),
    ("food-wine", "Enogastronomia", "Food and wine"),
    ("crafts", "Artigianato", "Crafts"),
    ("nature-outdoor", "Natura e outdoor", "Nature and outdoor"),
    ("cycling", "Cicloturismo", "Cycling"),
    ("wellness", "Benessere", "Wellness"),
    ("events", "Eventi", "Events"),
    ("mice", "MICE", "MICE"),
    ("weddings", "Matrimoni", "Weddings"),
]
LANGUAGES = [("it", "Italiano"), ("en", "English"), ("de", "Deutsch"), ("fr", "Français"),
             ("es", "Español"), ("nl", "Nederlands"), ("zh", "中文"), ("ja", "日本語")]


def add(apps, schema_editor):
    Theme = apps.get_model("operators", "Theme")
    Language = apps.get_model("operators", "Language")
    for position, (slug, it, en) in enumerate(THEMES):
        Theme.objects.update_or_create(
            slug=slug, defaults={"name": en, "name_it": it, "name_en": en, "position": position}
        )
    for code, name in LANGUAGES:
        Language.objects.update_or_create(code=code, defaults={"name": name})


class Migration(migrations.Migration):
    dependencies = [("operators", "0001_initial")]
    operations = [migrations.RunPython(add, migrations.RunPython.noop)]
