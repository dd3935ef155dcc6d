"""Members and API keys as a trade partner's admin uses them."""

import pytest
from django.urls import reverse

from accounts.models import ApiKey, Invitation, Role
from tests.factories import MembershipFactory

from .factories import partner

pytestmark = pytest.mark.django_db


def test_a_partner_names_a_key_sees_it_used_and_revokes_it(client, api_client):
    org = partner()
    owner = MembershipFactory(organisation=org, role=Role.OWNER).user
    client.force_login(owner)
    client.post(reverse("accounts:api_keys"), {"name": "Reservation system"})
    key = ApiKey.objects.get(organisation=org)
    assert key.name == "Reservation system" and key.last_used_at is None
    page = client.get(reverse("accounts:api_keys")).content.decode()
    raw = client.session.get("new_api_key")
    assert "Reservation system" in page
    # the raw key is shown once on that page
    assert raw is None
    raw = page.split('id="new-key">')[1].split("<")[0]
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert api_client.get("/api/v1/bookings/").status_code == 200
    key.refresh_from_db()
    assert key.last_used_at is not None
    row = client.get(reverse("accounts:api_keys")).content.decode().split("Reservation system")[1]
    assert "<td>—</td>" not in row.split("</tr>")[0]  # "last used" is shown
    client.post(reverse("accounts:api_key_revoke", args=[key.pk]))
    assert api_client.get("/api/v1/bookings/").status_code == 401


def test_another_partners_key_cannot_be_revoked(client):
    org, other = partner(), partner(name="Other GmbH")
    owner = MembershipFactory(organisation=org, role=Role.OWNER).user
    MembershipFactory(organisation=other, role=Role.OWNER)
    from tests.factories import api_key_for

    foreign, _raw = api_key_for(other)
    client.force_login(owner)
    assert client.post(reverse("accounts:api_key_revoke", args=[foreign.pk])).status_code == 404
    foreign.refresh_from_db()
    assert foreign.revoked_at is None


def test_a_partner_owner_invites_a_member_with_a_role(client):
    org = partner()
    owner = MembershipFactory(organisation=org, role=Role.OWNER).user
    client.force_login(owner)
    client.post(reverse("accounts:invite"), {"email": "desk@partner.example", "role": "staff"})
    invitation = Invitation.objects.get(organisation=org)
    assert invitation.role == "staff"
    staff = MembershipFactory(organisation=org, role=Role.STAFF).user
    client.force_login(staff)
    assert client.get(reverse("accounts:api_keys")).status_code in (403, 404)
