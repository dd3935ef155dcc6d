"""PostgreSQL refuses to delete an issued invoice or a line of one, whatever the path (a
stale object, a queryset, raw SQL): the model and admin guards are not the only wall."""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION invoices_refuse_issued_delete() RETURNS trigger AS $$
BEGIN
    IF OLD.status = 'issued' THEN
        RAISE EXCEPTION 'an issued invoice cannot be deleted'
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN OLD;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER invoices_invoice_no_delete_issued
    BEFORE DELETE ON invoices_invoice
    FOR EACH ROW EXECUTE FUNCTION invoices_refuse_issued_delete();

CREATE OR REPLACE FUNCTION invoices_refuse_issued_line_delete() RETURNS trigger AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM invoices_invoice WHERE id = OLD.invoice_id AND status = 'issued')
    THEN
        RAISE EXCEPTION 'a line of an issued invoice cannot be deleted'
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN OLD;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER invoices_invoiceline_no_delete_issued
    BEFORE DELETE ON invoices_invoiceline
    FOR EACH ROW EXECUTE FUNCTION invoices_refuse_issued_line_delete();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS invoices_invoiceline_no_delete_issued ON invoices_invoiceline;
DROP FUNCTION IF EXISTS invoices_refuse_issued_line_delete();
DROP TRIGGER IF EXISTS invoices_invoice_no_delete_issued ON invoices_invoice;
DROP FUNCTION IF EXISTS invoices_refuse_issued_delete();
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("invoices", "0007_sdifilecounter_invoice_sdi_transmissions")]

    operations = [migrations.RunPython(forward, backward)]
