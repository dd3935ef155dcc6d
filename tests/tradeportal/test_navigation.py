"""The trade partner's header: one entry for the trade home, and it is the trade home."""

import pytest
from django.urls import reverse

from tests.tradeportal.factories import member, partner

pytestmark = pytest.mark.django_db


def test_the_trade_portal_entry_leads_to_the_trade_home_once(client):
    client.force_login(member(partner()))
    response = client.get(reverse("tradeportal:home"))
    assert response.status_code == 200
    urls = [url for _label, url in response.context["nav_items"]]
    assert urls.count(reverse("tradeportal:home")) == 1
    assert urls[0] == reverse("tradeportal:home")
    assert reverse("accounts:dashboard") not in urls
