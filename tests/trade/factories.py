from datetime import date
from decimal import Decimal

from tests.factories import OrganisationFactory
from trade import services
from trade.models import PriceRule


def partner(name="Tuscany Tours GmbH", country="DE", **fields):
    return OrganisationFactory(
        name=name, kind="trade", subkind="tour_operator", country=country, **fields
    )


def contract_with_rules(organisation, *rules, valid_from=date(2020, 1, 1), **terms):
    """The partner's contract with one version from `valid_from` holding `rules` (dicts)."""
    contract = services.contract_for(organisation=organisation)
    if terms:
        contract = services.contract_terms_update(contract=contract, **terms)
    version = services.contract_version_create(contract=contract, valid_from=valid_from)
    for fields in rules:
        fields = dict(fields)
        fields["percent"] = Decimal(str(fields["percent"]))
        services.price_rule_save(rule=PriceRule(version=version, **fields))
    return contract, version
