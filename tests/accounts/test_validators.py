import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts import validators
from accounts.models import Organisation
from accounts.services import organisation_create

pytestmark = pytest.mark.django_db

VALID_PIVA = "00743110157"  # a well-known valid Partita IVA
VALID_CF_PERSON = "RSSMRA85T10A562S"
VALID_IBAN = "IT60X0542811101000000123456"


@pytest.mark.parametrize("value", [VALID_PIVA])
def test_valid_partita_iva(value):
    validators.validate_partita_iva(value)


@pytest.mark.parametrize("value", ["00743110158", "1234", "ABCDEFGHIJK"])
def test_invalid_partita_iva(value):
    with pytest.raises(ValidationError):
        validators.validate_partita_iva(value)


def test_codice_fiscale_of_a_person_or_a_company():
    validators.validate_codice_fiscale(VALID_CF_PERSON)
    validators.validate_codice_fiscale(VALID_PIVA)
    with pytest.raises(ValidationError):
        validators.validate_codice_fiscale("RSSMRA85T10A562X")


def test_iban():
    validators.validate_iban(VALID_IBAN)
    with pytest.raises(ValidationError):
        validators.validate_iban("IT60X0542811101000000123457")


def test_sdi_code():
    validators.validate_sdi_code("M5UXCR1")
    for bad in ("M5UX", "m5uxcr1", "M5UXCR1X"):
        with pytest.raises(ValidationError):
            validators.validate_sdi_code(bad)


def test_organisation_create_refuses_bad_fiscal_data_and_writes_nothing():
    from accounts.models import Organisation

    with pytest.raises(ValidationError) as exc:
        organisation_create(
            name="Cantina Sbagliata",
            kind="operator",
            subkind="food_producer",
            partita_iva="12345678901",
            iban="IT00X000",
            sdi_code="??",
        )
    assert {"partita_iva", "iban", "sdi_code"} <= set(exc.value.message_dict)
    assert not Organisation.objects.filter(name="Cantina Sbagliata").exists()


def test_organisation_subkind_must_match_kind():
    with pytest.raises(ValidationError) as exc:
        organisation_create(name="Strana", kind="trade", subkind="guide")
    assert "subkind" in exc.value.message_dict


def test_the_profile_form_shows_field_messages(owner_client, operator_org):
    response = owner_client.post(
        reverse("accounts:organisation_profile"),
        {
            "name": "Guide di Lucca",
            "country": "IT",
            "partita_iva": "00743110158",
            "iban": "IT60X0542811101000000123457",
            "sdi_code": "abc",
        },
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert {"partita_iva", "iban", "sdi_code"} <= set(errors)
    operator_org.refresh_from_db()
    assert operator_org.partita_iva == ""


def test_the_profile_form_saves_valid_fiscal_data_compacted(owner_client, operator_org):
    response = owner_client.post(
        reverse("accounts:organisation_profile"),
        {
            "name": "Guide di Lucca",
            "country": "IT",
            "partita_iva": "007 431 101 57",
            "iban": "IT60 X054 2811 1010 0000 0123 456",
            "sdi_code": "m5uxcr1",
        },
    )
    assert response.status_code == 302
    operator_org.refresh_from_db()
    assert operator_org.partita_iva == VALID_PIVA
    assert operator_org.iban == VALID_IBAN
    assert operator_org.sdi_code == "M5UXCR1"


def test_the_api_answers_400_with_the_field_name(api_client, operator_org):
    from tests.factories import api_key_for

    _key, raw = api_key_for(operator_org)
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    response = api_client.patch(
        f"/api/v1/organisations/{operator_org.slug}/",
        {"partita_iva": "00743110158"},
        format="json",
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["field"] == "partita_iva"
    assert error["code"] == "invalid_partita_iva"
    assert "Partita IVA" in error["message"]
    ok = api_client.patch(
        f"/api/v1/organisations/{operator_org.slug}/", {"partita_iva": VALID_PIVA}, format="json"
    )
    assert ok.status_code == 200
    assert ok.json()["partita_iva"] == VALID_PIVA


def test_a_trade_partner_registers_with_what_invoicing_needs(client, user):
    from accounts.models import Membership

    client.force_login(user)
    url = reverse("accounts:organisation_register")
    body = {
        "kind": "trade",
        "subkind": "travel_agency",
        "name": "Viaggi Serchio",
        "legal_name": "Viaggi Serchio Srl",
        "country": "IT",
        "email": "info@serchio.example",
        "partita_iva": VALID_PIVA,
        "address": "Via Roma 1",
        "postcode": "55100",
        "city": "Lucca",
    }
    missing_sdi = client.post(url, body)
    assert missing_sdi.status_code == 200
    assert "sdi_code" in missing_sdi.context["form"].errors
    assert not Organisation.objects.filter(name="Viaggi Serchio").exists()
    done = client.post(url, {**body, "sdi_code": "M5UXCR1"})
    assert done.status_code == 302
    organisation = Organisation.objects.get(name="Viaggi Serchio")
    assert Membership.objects.get(organisation=organisation).user == user
    assert organisation.kind == "trade"


def test_a_foreign_tour_operator_needs_a_valid_eu_vat_number(client, user):
    client.force_login(user)
    body = {
        "kind": "trade",
        "subkind": "tour_operator",
        "name": "Reisen Nord",
        "legal_name": "Reisen Nord GmbH",
        "country": "DE",
        "email": "info@nord.example",
        "vat_number": "DE000000000",
        "address": "Hauptstr. 1",
        "postcode": "20095",
        "city": "Hamburg",
    }
    response = client.post(reverse("accounts:organisation_register"), body)
    assert response.status_code == 200
    assert "vat_number" in response.context["form"].errors
