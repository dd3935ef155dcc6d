"""Renderings of an operator statement: PDF (WeasyPrint) and CSV."""

import csv
import io

from django.template.loader import render_to_string

from .fiscal import dmc_organisation, supplier_snapshot
from .models import OperatorStatement
from .pdf import _write_pdf, eur, it_date, labels

# Fixed wording on the Italian statement (the model's legal name).
SALES_MODEL_IT = {
    "resale": "Rivendita in nome proprio",
    "agency": "In nome e per conto dell'operatore",
}


def statement_filename(statement: OperatorStatement, ext: str) -> str:
    return f"estratto-{statement.operator.slug}-{statement.period_start:%Y-%m}.{ext}"


def statement_csv(statement: OperatorStatement) -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(
        [
            "prenotazione",
            "data_servizio",
            "voce",
            "prodotto",
            "lordo",
            "commissione",
            "netto",
            "modello_vendita",
        ]
    )
    for line in statement.lines.all():
        writer.writerow(
            [
                line.booking_reference,
                line.service_date.isoformat(),
                line.kind,
                line.product,
                f"{line.gross:.2f}",
                f"{line.commission:.2f}",
                f"{line.net:.2f}",
                line.sales_model,
            ]
        )
    writer.writerow([])
    writer.writerow(["bonifico", "data", "riferimento", "", "", "", "importo"])
    for payout in statement.payouts.all():
        writer.writerow(
            [
                "payout",
                payout.paid_on.isoformat(),
                payout.reference,
                "",
                "",
                "",
                f"{payout.amount:.2f}",
            ]
        )
    writer.writerow([])
    for label, value in [
        ("saldo_precedente", statement.opening_balance),
        ("totale_lordo", statement.gross_total),
        ("commissioni_dmc", statement.commission_total),
        ("netto_dovuto", statement.net_total),
        ("bonifici_effettuati", statement.payouts_total),
        ("saldo", statement.balance),
    ]:
        writer.writerow([label, "", "", "", "", "", f"{value:.2f}"])
    return out.getvalue()


def statement_pdf(statement: OperatorStatement, language: str = "it") -> bytes:
    supplier, _problems = supplier_snapshot(dmc_organisation())
    context = {
        "statement": statement,
        "supplier": supplier,
        "L": labels(language),
        "month": statement.period_start.strftime("%m/%Y"),
        "lines": [
            {
                "ref": line.booking_reference,
                "date": it_date(line.service_date),
                "product": f"{line.get_kind_display()}: {line.product}"
                if line.kind != "service"
                else line.product,
                "gross": eur(line.gross),
                "commission": eur(line.commission),
                "net": eur(line.net),
                "sales_model": SALES_MODEL_IT.get(line.sales_model, ""),
            }
            for line in statement.lines.all()
        ],
        "payouts": [
            {"date": it_date(p.paid_on), "reference": p.reference, "amount": eur(p.amount)}
            for p in statement.payouts.all()
        ],
        "totals": {
            key: eur(getattr(statement, key))
            for key in (
                "opening_balance",
                "gross_total",
                "commission_total",
                "net_total",
                "payouts_total",
                "balance",
            )
        },
    }
    return _write_pdf(render_to_string("invoices/pdf/statement.html", context))
