"""Curation lifecycle: draft -> submitted -> approved/rejected -> published -> archived."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from accounts.models import Role
from operators import services
from operators.models import CurationEvent, ProductStatus
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory
from tests.operators.factories import ProductFactory, RateFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def dmc_user(db):
    dmc = OrganisationFactory(name="Piana DMC", kind="dmc", subkind="")
    return MembershipFactory(organisation=dmc, role=Role.STAFF).user


@pytest.fixture
def draft(operator_org):
    product = ProductFactory(
        organisation=operator_org,
        status="draft",
        description_it="Una bella visita.",
        description_en="A fine visit.",
    )
    RateFactory(product=product)
    return product


def test_the_full_lifecycle_records_every_step(draft, owner, dmc_user):
    services.product_submit(product=draft, actor=owner)
    services.product_approve(product=draft, actor=dmc_user)
    product = services.product_publish(product=draft, actor=dmc_user)
    assert product.status == ProductStatus.PUBLISHED
    assert product.published_at is not None and product.reviewed_by == dmc_user
    product = services.product_archive(product=product, actor=owner)
    steps = list(
        CurationEvent.objects.filter(product=draft)
        .order_by("pk")
        .values_list("from_status", "to_status", "actor")
    )
    assert steps == [
        ("draft", "submitted", owner.pk),
        ("submitted", "approved", dmc_user.pk),
        ("approved", "published", dmc_user.pk),
        ("published", "archived", owner.pk),
    ]


def test_only_the_dmc_approves_and_publishes(draft, owner):
    services.product_submit(product=draft, actor=owner)
    with pytest.raises(ValidationError) as exc:
        services.product_approve(product=draft, actor=owner)
    assert "status" in exc.value.message_dict
    assert "DMC" in exc.value.message_dict["status"][0]
    draft.refresh_from_db()
    assert draft.status == ProductStatus.SUBMITTED


def test_another_operator_cannot_move_a_product(draft, other_owner):
    with pytest.raises(ValidationError):
        services.product_submit(product=draft, actor=other_owner)


def test_a_transition_outside_the_table_is_refused_with_a_message(draft, dmc_user):
    with pytest.raises(ValidationError) as exc:
        services.product_publish(product=draft, actor=dmc_user)
    assert "cannot go from" in exc.value.message_dict["status"][0]
    assert not CurationEvent.objects.filter(product=draft).exists()


def test_a_rejection_needs_a_reason_that_the_operator_reads(draft, owner, dmc_user):
    services.product_submit(product=draft, actor=owner)
    with pytest.raises(ValidationError) as exc:
        services.product_reject(product=draft, actor=dmc_user, reason="  ")
    assert "reason" in exc.value.message_dict
    product = services.product_reject(product=draft, actor=dmc_user, reason="Add photos.")
    assert product.status == ProductStatus.REJECTED
    assert product.rejection_reason == "Add photos."
    # resubmitting clears it
    product = services.product_submit(product=product, actor=owner)
    assert product.rejection_reason == ""


def test_submission_needs_both_languages_and_a_price(operator_org, owner):
    product = ProductFactory(organisation=operator_org, status="draft", title_en="")
    with pytest.raises(ValidationError) as exc:
        services.product_submit(product=product, actor=owner)
    assert {"title_en", "description_en", "rates"} <= set(exc.value.message_dict)


def test_a_content_change_of_a_published_product_waits_as_a_revision(operator_org, owner):
    product = ProductFactory(organisation=operator_org, status="published")
    product = services.product_update(
        product=product, data={"description_en": "New text"}, actor=owner
    )
    assert product.status == ProductStatus.PUBLISHED
    assert product._revision.data == {"description_en": "New text"}
    product.refresh_from_db()
    assert not product.description_en
    assert not CurationEvent.objects.filter(product=product).exists()


def test_a_content_change_of_an_approved_product_goes_back_to_review(operator_org, owner):
    product = ProductFactory(organisation=operator_org, status="approved")
    product = services.product_update(
        product=product, data={"description_en": "New text"}, actor=owner
    )
    assert product.status == ProductStatus.SUBMITTED
    event = CurationEvent.objects.get(product=product)
    assert (event.from_status, event.to_status) == ("approved", "submitted")
    assert "description_en" in event.reason


def test_a_price_or_availability_change_keeps_it_on_sale(operator_org, owner):
    product = ProductFactory(organisation=operator_org, status="published")
    services.rate_save(product=product, data={"pax_category": "adult", "retail_price": 50})
    services.product_update(product=product, data={"free_place_every": 20}, actor=owner)
    product.refresh_from_db()
    assert product.status == ProductStatus.PUBLISHED
    assert not CurationEvent.objects.filter(product=product).exists()


def test_an_unchanged_save_does_not_resubmit(operator_org, owner):
    product = ProductFactory(organisation=operator_org, status="published")
    product = services.product_update(product=product, data={"title_en": product.title_en})
    assert product.status == ProductStatus.PUBLISHED


def test_allowed_transitions_depend_on_the_role(draft, owner, dmc_user):
    assert services.allowed_transitions(product=draft, actor=owner) == ["submitted", "archived"]
    assert services.allowed_transitions(product=draft, actor=dmc_user) == ["archived"]
    outsider = UserFactory()
    assert services.allowed_transitions(product=draft, actor=outsider) == []


def test_net_price_defaults_from_the_contract_commission(operator_org):
    from operators.models import OperatorContract

    OperatorContract.objects.create(organisation=operator_org, commission_percent=Decimal("18"))
    product = ProductFactory(organisation=operator_org)
    rate = services.rate_save(
        product=product, data={"pax_category": "adult", "retail_price": Decimal("33.33")}
    )
    assert rate.net_price == Decimal("27.33")  # 33.33 x 0.82 = 27.3306
