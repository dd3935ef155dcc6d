"""The exemption categories that municipal tourist-tax regulations commonly list (the
comune's own regulation decides; DMC staff keep the list per comune in the admin)."""

from django.db import migrations

REASONS = [
    ("under_age", "Minori sotto l'eta di esenzione / Children under the exemption age"),
    ("resident", "Residenti nel comune / Residents of the comune"),
    ("group_driver", "Autisti di pullman al servizio di gruppi / Coach drivers of groups"),
    ("group_escort", "Accompagnatori e guide di gruppi / Tour leaders and guides of groups"),
    ("patient", "Malati in cura presso strutture sanitarie / Patients in treatment"),
    ("carer", "Accompagnatori di degenti / Carers of in-patients"),
    ("disabled", "Persone con disabilita e un accompagnatore / Disabled guests and a companion"),
    ("emergency", "Volontari e personale in emergenze / Volunteers in emergencies"),
    ("on_duty", "Forze dell'ordine e soccorso in servizio / Police and rescue on duty"),
    ("nightly_cap", "Notti oltre il massimo consecutivo / Nights beyond the nightly cap"),
]


def seed(apps, schema_editor):
    Reason = apps.get_model("bookings", "TouristTaxExemptionReason")
    for code, label in REASONS:
        Reason.objects.get_or_create(
            code=code, defaults={"label": label, "reference": "Regolamento comunale"}
        )


class Migration(migrations.Migration):
    dependencies = [("bookings", "0003_bookingline_tax_exemptions_touristtaxexemptionreason")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
