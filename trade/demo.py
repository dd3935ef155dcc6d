"""Demo trade terms: price rules for the demo partners' contracts and a pending partner
application (idempotent)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from accounts.models import Organisation

from . import services
from .models import ContractVersion, PartnerApplication, PriceRule

# slug -> rules of the contract version in force (basis, percent, scope, markets)
DEMO_RULES = {
    "tuscany-discovery-tours": [
        ("commission", "15", "experience", ""),
        ("markup", "12", "accommodation", ""),
        ("discount", "10", "package", ""),
        ("discount", "8", "service", ""),
        ("commission", "18", "experience", "AT, CH"),
    ],
    "viaggi-del-giglio": [("commission", "10", "", "")],
    "heritage-journeys": [("discount", "12", "", "")],
}


def seed(context: dict) -> None:
    start = date(date.today().year - 1, 1, 1)
    for slug, rules in DEMO_RULES.items():
        organisation = Organisation.objects.filter(slug=slug).first()
        if organisation is None:
            continue
        contract = services.contract_for(organisation=organisation)
        version = ContractVersion.objects.filter(contract=contract, valid_from=start).first()
        if version is None:
            version = services.contract_version_create(
                contract=contract, valid_from=start, note="Demo contract"
            )
        if not version.rules.exists():
            for basis, percent, scope, markets in rules:
                services.price_rule_save(
                    rule=PriceRule(
                        version=version,
                        basis=basis,
                        percent=Decimal(percent),
                        scope=scope,
                        markets=markets,
                    )
                )
    PartnerApplication.objects.get_or_create(
        company_name="Donau Kulturreisen GmbH",
        defaults={
            "legal_name": "Donau Kulturreisen GmbH",
            "subkind": "tour_operator",
            "country": "AT",
            "vat_number": "ATU13585627",
            "licence_number": "GISA 12345678",
            "markets": "AT, DE",
            "address": "Ringstraße 5",
            "city": "Wien",
            "website": "https://donau-kulturreisen.example",
            "contact_name": "Lena Huber",
            "contact_email": "lena.huber@donau-kulturreisen.example",
            "language": "de",
            "message": "Cultural groups of 20-40 people, spring and autumn.",
        },
    )
    context["trade"] = {"application": "Donau Kulturreisen GmbH"}
