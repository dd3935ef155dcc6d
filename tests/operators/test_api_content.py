"""PATCH /api/v1/products/<slug>/: the owning operator changes its listing's content."""

import pytest

from accounts.models import Role
from operators.models import Product, ProductStatus
from tests.factories import MembershipFactory, api_key_for
from tests.operators.factories import ProductFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator_client(api_client, operator_org):
    _key, raw = api_key_for(operator_org)
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return api_client


def url(product):
    return f"/api/v1/products/{product.slug}/"


def test_the_owner_changes_content_in_four_languages_and_its_themes(operator_client, operator_org):
    product = ProductFactory(organisation=operator_org, status="draft")
    body = {
        "title_en": "Walls of Lucca by bike",
        "title_de": "Die Stadtmauer von Lucca mit dem Rad",
        "summary_fr": "Les remparts à vélo",
        "description_it": "Un giro delle mura.",
        "inclusions_en": "Bike and helmet",
        "meeting_point_it": "Porta San Pietro",
        "accessibility_notes_en": "Flat, paved path.",
        "themes": ["food-wine"],
        "languages": ["de", "en"],
    }
    response = operator_client.patch(url(product), body, format="json")
    assert response.status_code == 200, response.json()
    data = response.json()
    assert data["title_en"] == "Walls of Lucca by bike"
    assert data["themes"] == ["food-wine"] and sorted(data["languages"]) == ["de", "en"]
    product.refresh_from_db()
    assert product.title_de == "Die Stadtmauer von Lucca mit dem Rad"
    assert product.summary_fr == "Les remparts à vélo"
    assert product.meeting_point_it == "Porta San Pietro"
    assert product.accessibility_notes_en == "Flat, paved path."
    assert product.status == ProductStatus.DRAFT
    assert product.slug == Product.objects.get(pk=product.pk).slug  # the URL does not move


def test_a_content_change_of_a_published_listing_waits_as_a_revision(operator_client, operator_org):
    product = ProductFactory(organisation=operator_org, status="published")
    response = operator_client.patch(
        url(product), {"description_en": "Now with a tasting."}, format="json"
    )
    assert response.status_code == 202, response.content
    body = response.json()
    assert body["status"] == ProductStatus.PUBLISHED
    assert body["pending_revision"]["fields"] == ["description_en"]
    product.refresh_from_db()
    assert product.status == ProductStatus.PUBLISHED and not product.description_en
    assert product.revisions.get().data == {"description_en": "Now with a tasting."}


@pytest.mark.parametrize(
    "body, field",
    [
        ({"title_it": ""}, "title_it"),
        ({"summary_en": "x" * 301}, "summary_en"),
        ({"themes": ["no-such-theme"]}, "themes"),
        ({"languages": ["xx"]}, "languages"),
        ({"status": "published"}, "status"),
        ({"title_es": "Murallas"}, "title_es"),
    ],
)
def test_bad_input_is_a_400_naming_the_field_and_changes_nothing(
    operator_client, operator_org, body, field
):
    product = ProductFactory(organisation=operator_org, status="published")
    before = (product.title_it, product.summary_en, product.status)
    response = operator_client.patch(url(product), body, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["field"] == field
    product.refresh_from_db()
    assert (product.title_it, product.summary_en, product.status) == before
    assert not product.themes.exists()


def test_an_empty_patch_is_refused(operator_client, operator_org):
    product = ProductFactory(organisation=operator_org)
    assert operator_client.patch(url(product), {}, format="json").status_code == 400


def test_another_operators_product_is_a_404(operator_client, other_operator_org):
    foreign = ProductFactory(organisation=other_operator_org, status="published")
    response = operator_client.patch(url(foreign), {"title_en": "Mine now"}, format="json")
    assert response.status_code == 404
    foreign.refresh_from_db()
    assert foreign.title_en != "Mine now" and foreign.status == "published"


def test_staff_members_below_manager_cannot_change_content(api_client, operator_org):
    product = ProductFactory(organisation=operator_org)
    staff = MembershipFactory(organisation=operator_org, role=Role.STAFF).user
    api_client.force_authenticate(staff)
    response = api_client.patch(url(product), {"title_en": "Changed"}, format="json")
    assert response.status_code in (403, 404)
    product.refresh_from_db()
    assert product.title_en != "Changed"


def test_the_schema_documents_the_patch(operator_client):
    schema = operator_client.get("/api/schema/").content.decode()
    assert "PatchedProductContentInput" in schema and "accessibility_notes_fr" in schema
