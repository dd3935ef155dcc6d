"""PostgreSQL: `bookings_no_room()` raises SQLSTATE PDL01. A hold's counter UPDATEs call it
when a row has no room, so that the COMMIT sent after them in the same round trip never runs
(bookings/services/inventory.py)."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION bookings_no_room() RETURNS integer LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'no room left on a counter' USING ERRCODE = 'PDL01';
END $$;"""


def install(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def uninstall(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS bookings_no_room()")


class Migration(migrations.Migration):
    dependencies = [
        ("bookings", "0008_allocation_from_allotment"),
    ]

    operations = [migrations.RunPython(install, uninstall)]
