"""The partner's webhook pages: only its owners and managers, only its endpoints (another
partner's endpoint or delivery answers 404), the secret shown once, test and redeliver."""

import pytest
from django.urls import reverse

from accounts.models import Role
from tests.factories import MembershipFactory, OrganisationFactory
from webhooks import services
from webhooks.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint

from .factories import endpoint_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def partner():
    return OrganisationFactory(name="Tuscany Tours", kind="trade", subkind="tour_operator")


@pytest.fixture
def manager_client(client, partner):
    client.force_login(MembershipFactory(organisation=partner, role=Role.MANAGER).user)
    return client


def test_a_manager_adds_an_endpoint_and_sees_its_secret_once(manager_client, partner):
    response = manager_client.post(
        reverse("webhooks:endpoints"),
        {
            "url": "https://hooks.example.com/piana",
            "description": "ERP",
            "events": ["booking.confirmed", "booking.cancelled"],
        },
    )
    endpoint = WebhookEndpoint.objects.get(organisation=partner)
    assert response.status_code == 302 and response.url == reverse(
        "webhooks:endpoint", kwargs={"pk": endpoint.pk}
    )
    assert endpoint.events == ["booking.confirmed", "booking.cancelled"]
    first = manager_client.get(response.url)
    assert endpoint.secret in first.content.decode()
    again = manager_client.get(response.url)
    assert endpoint.secret not in again.content.decode()


@pytest.mark.parametrize(
    ("url", "events", "field"),
    [
        ("http://hooks.example.com/x", ["booking.confirmed"], "url"),
        ("https://127.0.0.1/x", ["booking.confirmed"], "url"),
        ("https://localhost/x", ["booking.confirmed"], "url"),
        ("https://hooks.example.com/x", [], "events"),
        ("https://hooks.example.com/x", ["webhook.test"], "events"),
    ],
)
def test_bad_endpoints_are_refused_with_the_field(manager_client, settings, url, events, field):
    settings.WEBHOOKS_REQUIRE_HTTPS = True
    settings.WEBHOOKS_ALLOW_PRIVATE_HOSTS = False
    response = manager_client.post(reverse("webhooks:endpoints"), {"url": url, "events": events})
    assert response.status_code == 400
    assert response.context["form"].errors[field]
    assert not WebhookEndpoint.objects.exists()


def test_staff_members_and_other_kinds_cannot_manage_webhooks(client, partner):
    client.force_login(MembershipFactory(organisation=partner, role=Role.STAFF).user)
    assert client.get(reverse("webhooks:endpoints")).status_code == 403
    operator = OrganisationFactory(kind="operator", subkind="guide")
    client.force_login(MembershipFactory(organisation=operator, role=Role.OWNER).user)
    assert client.get(reverse("webhooks:endpoints")).status_code == 404


def test_another_partners_endpoint_and_deliveries_are_404(manager_client, partner):
    other = OrganisationFactory(kind="trade", subkind="travel_agency")
    theirs = endpoint_for(other, url="https://giglio.example.com/hooks")
    services.event_record(organisation=other, event_type="booking.confirmed", data={})
    delivery = WebhookDelivery.objects.get(endpoint=theirs)
    mine = endpoint_for(partner)
    urls = [
        ("get", reverse("webhooks:endpoint", kwargs={"pk": theirs.pk})),
        ("post", reverse("webhooks:endpoint_action", kwargs={"pk": theirs.pk, "action": "test"})),
        ("post", reverse("webhooks:endpoint_action", kwargs={"pk": theirs.pk, "action": "delete"})),
        (
            "post",
            reverse("webhooks:redeliver", kwargs={"pk": theirs.pk, "delivery_pk": delivery.pk}),
        ),
        ("post", reverse("webhooks:redeliver", kwargs={"pk": mine.pk, "delivery_pk": delivery.pk})),
    ]
    for method, url in urls:
        assert getattr(manager_client, method)(url).status_code == 404, url
    listing = manager_client.get(reverse("webhooks:endpoints")).content.decode()
    assert mine.url in listing and theirs.url not in listing
    assert WebhookEndpoint.objects.filter(pk=theirs.pk).exists()
    delivery.refresh_from_db()
    assert delivery.attempts == 0


def test_the_test_button_and_redeliver_show_the_result_in_the_log(
    manager_client, partner, receiver
):
    endpoint = endpoint_for(partner, url=receiver.url)
    action = reverse("webhooks:endpoint_action", kwargs={"pk": endpoint.pk, "action": "test"})
    response = manager_client.post(action, follow=True)
    assert len(receiver.requests) == 1
    assert "webhook.test" in receiver.requests[0]["body"].decode()
    delivery = WebhookDelivery.objects.get(endpoint=endpoint)
    assert delivery.status == DeliveryStatus.SUCCEEDED
    page = response.content.decode()
    assert delivery.event.public_id in page and "200" in page

    receiver.status = 500
    manager_client.post(
        reverse("webhooks:redeliver", kwargs={"pk": endpoint.pk, "delivery_pk": delivery.pk})
    )
    delivery.refresh_from_db()
    assert len(receiver.requests) == 2
    assert delivery.attempts == 2 and delivery.response_code == 500
    assert delivery.status == DeliveryStatus.RETRYING and delivery.next_attempt_at


def test_disable_enable_and_delete(manager_client, partner):
    endpoint = endpoint_for(partner, consecutive_failures=4)
    url = lambda action: reverse(  # noqa: E731
        "webhooks:endpoint_action", kwargs={"pk": endpoint.pk, "action": action}
    )
    manager_client.post(url("disable"))
    endpoint.refresh_from_db()
    assert not endpoint.is_active
    manager_client.post(url("enable"))
    endpoint.refresh_from_db()
    assert endpoint.is_active and endpoint.consecutive_failures == 0
    old = endpoint.secret
    manager_client.post(url("roll-secret"))
    endpoint.refresh_from_db()
    assert endpoint.secret != old
    manager_client.post(url("delete"))
    assert not WebhookEndpoint.objects.exists()


def test_the_trade_navigation_links_the_webhooks_for_managers(manager_client):
    page = manager_client.get(reverse("webhooks:endpoints")).content.decode()
    assert reverse("webhooks:endpoints") in page


def test_the_german_page_speaks_of_events_as_ereignisse_and_says_sie(manager_client, partner):
    endpoint_for(partner)
    response = manager_client.get("/de/trade/webhooks/")
    text = response.content.decode()
    assert "Ereignisse" in text
    assert "Veranstaltungen</th>" not in text  # "Events" of the site's calendar
    assert "So prüfen Sie die Signatur" in text
