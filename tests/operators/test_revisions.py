"""Issue 10 item 7: editing content does not take a listing off sale; the DMC reviews a real
diff in the four languages and the operator is emailed the outcome."""

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.models import Role
from accounts.services import DmcGroup, dmc_groups_ensure
from operators import revisions, services
from operators.models import ProductRevision, ProductStatus, RevisionStatus
from tests.factories import MembershipFactory, OrganisationFactory
from tests.operators.factories import AccommodationFactory, RateFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def hotel(operator_org):
    product = AccommodationFactory(
        organisation=operator_org,
        status="published",
        title_it="Albergo delle Mura",
        title_en="Hotel by the Walls",
        title_de="Hotel an der Stadtmauer",
        description_it="Camere sulle mura.",
        description_en="Rooms on the walls with a veiw of the towers.",
        description_de="Zimmer an der Mauer.",
        description_fr="Chambres sur les remparts.",
        address="Via delle Mura 1",
    )
    RateFactory(product=product)
    return product


@pytest.fixture
def product_manager(db):
    dmc = OrganisationFactory(name="Piana DMC", kind="dmc", subkind="")
    user = MembershipFactory(organisation=dmc, role=Role.STAFF).user
    user.groups.add(dmc_groups_ensure()[DmcGroup.PRODUCT_MANAGER])
    return user


def edit_post(product, **changes):
    """What the extranet form posts: every field, most of them unchanged (and empty ones as
    empty strings, where the database may hold NULL)."""
    data = {
        f"{name}_{lang}": getattr(product, f"{name}_{lang}") or ""
        for name in revisions.TRANSLATED
        for lang in revisions.LANGS
    }
    data.update(
        {
            "comune": product.comune_id,
            "address": product.address,
            "vat_rate": "10.00",
            "accommodation_category": product.accommodation_category,
            "kind": product.kind,
        }
    )
    data.update(changes)
    return data


def test_a_typo_fix_keeps_the_public_page_up(client, owner_client, hotel):
    """The reproduction: the typo fix took the hotel's page down (404) until republished."""
    public = reverse("discover_product", args=[hotel.slug])
    assert client.get(public).status_code == 200
    response = owner_client.post(
        reverse("operators:product_edit", args=[hotel.pk]),
        edit_post(hotel, description_en="Rooms on the walls with a view of the towers."),
    )
    assert response.status_code == 302
    hotel.refresh_from_db()
    assert hotel.status == ProductStatus.PUBLISHED
    page = client.get(public)
    assert page.status_code == 200
    assert "veiw" in page.content.decode()  # the approved text until the DMC approves
    revision = hotel.revisions.get(status=RevisionStatus.PENDING)
    assert revision.data == {
        "description_en": "Rooms on the walls with a view of the towers."
    }  # exactly the changed field, not the empty de/fr ones


def test_the_review_shows_a_real_diff_of_the_changed_fields_in_four_languages(
    client, owner, hotel, product_manager
):
    services.product_update(
        product=hotel,
        data={
            "description_en": "Rooms on the walls with a view of the towers.",
            "title_fr": "Hôtel des Remparts",
            "address": "Via delle Mura 2",
            "title_it": hotel.title_it,  # unchanged: not in the diff
        },
        actor=owner,
    )
    client.force_login(product_manager)
    page = client.get(reverse("operators:curation_review", args=[hotel.pk])).content.decode()
    revision = hotel.revisions.get()
    rows = {row.name: row for row in revisions.revision_diff(revision)}
    assert set(rows) == {"title", "description", "address"}
    description = {d.lang: d for d in rows["description"].languages}
    assert list(description) == ["it", "en", "de", "fr"]
    assert [d.lang for d in description.values() if d.changed] == ["en"]
    assert "<del>veiw</del> <ins>view</ins>" in str(description["en"].html)
    assert [d.lang for d in rows["title"].languages if d.changed] == ["fr"]
    assert (rows["address"].old, rows["address"].new) == ("Via delle Mura 1", "Via delle Mura 2")
    for lang in ("IT", "EN", "DE", "FR"):
        assert f'lang="{lang.lower()}">{lang}' in page
    assert "<ins>view</ins>" in page and "Hôtel des Remparts" in page
    assert "Deutsch" in page and "Français" in page
    assert "Summary" not in page  # a field that did not change is not listed


def test_approval_applies_the_edit_and_emails_the_operator(
    client, owner, hotel, product_manager, django_capture_on_commit_callbacks
):
    services.product_update(product=hotel, data={"title_de": "Hotel Mauerblick"}, actor=owner)
    revision = hotel.revisions.get()
    client.force_login(product_manager)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("operators:revision_decision", args=[revision.pk]), {"action": "approve"}
        )
    assert response.status_code == 302
    hotel.refresh_from_db()
    revision.refresh_from_db()
    assert hotel.title_de == "Hotel Mauerblick" and hotel.status == ProductStatus.PUBLISHED
    assert revision.status == RevisionStatus.APPROVED
    assert len(mail.outbox) == 1 and owner.email in mail.outbox[0].to
    assert "approv" in mail.outbox[0].subject.lower()


def test_rejection_needs_a_reason_keeps_the_live_text_and_emails_why(
    client, owner, hotel, product_manager, django_capture_on_commit_callbacks
):
    services.product_update(product=hotel, data={"description_it": "Prezzi bassi!"}, actor=owner)
    revision = hotel.revisions.get()
    client.force_login(product_manager)
    url = reverse("operators:revision_decision", args=[revision.pk])
    client.post(url, {"action": "reject", "reason": ""})
    revision.refresh_from_db()
    assert revision.status == RevisionStatus.PENDING
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"action": "reject", "reason": "Prices do not belong in the text."})
    revision.refresh_from_db()
    hotel.refresh_from_db()
    assert revision.status == RevisionStatus.REJECTED
    assert hotel.description_it == "Camere sulle mura."
    assert len(mail.outbox) == 1
    assert "Prices do not belong in the text." in mail.outbox[0].body
    with pytest.raises(ValidationError) as exc:
        revisions.revision_approve(revision=revision, actor=product_manager)
    assert exc.value.code == "revision_decided"


def test_a_second_edit_extends_the_pending_revision_and_a_revert_removes_it(owner, hotel):
    services.product_update(product=hotel, data={"title_de": "A"}, actor=owner)
    services.product_update(product=hotel, data={"title_fr": "B"}, actor=owner)
    assert ProductRevision.objects.get().data == {"title_de": "A", "title_fr": "B"}
    services.product_update(
        product=hotel, data={"title_de": hotel.title_de, "title_fr": ""}, actor=owner
    )
    assert not ProductRevision.objects.exists()


def test_an_invalid_edit_is_refused_at_once(owner, hotel):
    with pytest.raises(ValidationError):
        services.product_update(product=hotel, data={"summary_en": "x" * 301}, actor=owner)
    assert not ProductRevision.objects.exists()


def test_operators_cannot_decide_their_own_revision(owner_client, owner, hotel):
    services.product_update(product=hotel, data={"title_de": "A"}, actor=owner)
    revision = hotel.revisions.get()
    response = owner_client.post(
        reverse("operators:revision_decision", args=[revision.pk]), {"action": "approve"}
    )
    assert response.status_code in (302, 403, 404)
    revision.refresh_from_db()
    assert revision.status == RevisionStatus.PENDING
