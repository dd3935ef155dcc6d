import pytest

from tests.factories import OrganisationFactory, api_key_for


@pytest.fixture
def partner(db):
    return OrganisationFactory(name="Tuscany Tours", kind="trade", subkind="tour_operator")


@pytest.fixture
def partner_client(api_client, partner):
    _key, raw = api_key_for(partner)
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return api_client


def hold_body(product, slot, adults=2):
    return {
        "contact_name": "Hans Müller",
        "contact_email": "hans@example.de",
        "language": "de",
        "lines": [
            {
                "product": product.slug,
                "date": slot.date.isoformat(),
                "slot": slot.pk,
                "adults": adults,
            }
        ],
    }
