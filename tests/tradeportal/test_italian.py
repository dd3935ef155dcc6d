"""The group journey reads as Italian on /it/: a quote (masculine "preventivo") is "valido"
and "Inviato", its default title has the local date, the option's button says "a credito"."""

import pytest

from operators.pricing import PaxMix
from tests.tradeportal.factories import group_products, member, partner, quote_for
from tests.tradeportal.test_journey import _offer_fields
from tradeportal.models import Quote, QuoteStatus
from tradeportal.selectors import GroupSearch, group_search

pytestmark = pytest.mark.django_db


def test_the_quote_and_option_pages_in_italian(client):
    organisation = partner()
    client.force_login(member(organisation))
    products = group_products()
    start = products["start"]
    offer = next(
        o
        for entry in group_search(
            organisation, GroupSearch(start=start, end=start, pax=PaxMix.of(adults=4))
        )
        for o in entry.offers
        if o.slot is not None
    )
    data = {**_offer_fields(offer), "quote": "", "back": "/it/trade/search/"}
    assert client.post("/it/trade/quotes/add-line/", data).status_code == 302
    quote = Quote.objects.get(organisation=organisation)
    assert quote.title == f"Gruppo dal {start:%d/%m/%Y}"
    page = client.get(f"/it/trade/quotes/{quote.reference}/").content.decode()
    assert "valido fino al" in page and "valida fino al" not in page
    sent = quote_for(organisation, title="Inviato al cliente", status=QuoteStatus.SENT)
    home = client.get("/it/trade/").content.decode()
    assert sent.title in home and "Inviato" in home and "Inviata" not in home
    client.post(f"/it/trade/quotes/{quote.reference}/option/", {})
    quote.refresh_from_db()
    option = client.get(f"/it/trade/options/{quote.booking.reference}/").content.decode()
    assert "Conferma a credito" in option and "pagamento differito" not in option
