from django.db import migrations

from invoices.rules import DEFAULT_TREATMENTS


def seed(apps, schema_editor):
    FiscalTreatment = apps.get_model("invoices", "FiscalTreatment")
    if FiscalTreatment.objects.exists():
        return
    for row in DEFAULT_TREATMENTS:
        FiscalTreatment.objects.create(
            sales_model=row[0],
            customer_kind=row[1],
            customer_area=row[2],
            product_kind=row[3],
            treatment=row[4],
            natura=row[5],
            required_vat_rate=row[6],
            legal_reference=row[7],
            uncertain=row[8],
        )


class Migration(migrations.Migration):
    dependencies = [("invoices", "0003_fiscalsettings_invoiceline_sales_model_and_more")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
