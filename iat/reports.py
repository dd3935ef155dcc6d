"""Monthly contact report as table rows, CSV and XLSX."""

import csv
import io

from django.utils.translation import gettext as _
from openpyxl import Workbook

from . import codes
from .models import ContactChannel, Topic


def report_rows(report: dict) -> list[tuple[str, str, str, int]]:
    """(section, key, label, count) rows, in a fixed order: the same for screen and files."""
    labels = {
        "channel": dict(ContactChannel.choices),
        "topic": dict(Topic.choices),
    }
    sections = [
        ("office", _("Office")),
        ("channel", _("Channel")),
        ("origin", _("Origin")),
        ("language", _("Language")),
        ("topic", _("Topic")),
    ]
    rows = [
        (_("Total"), "contacts", _("Contacts"), report["contacts"]),
        (_("Total"), "visitors", _("Visitors"), report["visitors"]),
        (_("Total"), "sales", _("Contacts with a sale"), report["sales"]),
    ]
    for key, title in sections:
        for value, count in sorted(report["by"][key].items(), key=lambda kv: (-kv[1], kv[0])):
            if key == "origin":
                label = codes.origin_label(value)
            else:
                label = str(labels.get(key, {}).get(value, value))
            rows.append((str(title), value, label, count))
    return rows


HEADER = ("section", "code", "label", "count")


def report_csv(report: dict) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    writer.writerows(report_rows(report))
    return out.getvalue().encode("utf-8-sig")


def report_xlsx(report: dict, title: str) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = f"{report['year']}-{report['month']:02d}"
    ws.append([title])
    ws.append(list(HEADER))
    for row in report_rows(report):
        ws.append(list(row))
    ws.column_dimensions["A"].width = 14
    ws.column_dimensions["C"].width = 36
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
