import pytest

from bookings import services as booking_services
from payments import demo
from payments.models import LedgerEntry, OperatorPayable
from payments.selectors import booking_paid
from tests.bookings.factories import hold_experience

pytestmark = pytest.mark.django_db


def test_the_demo_skips_quietly_without_bookings():
    demo.seed({})
    assert not LedgerEntry.objects.exists()


def test_the_demo_records_offline_payments_once():
    booking = hold_experience(adults=2)
    booking_services.booking_confirm(booking=booking, via="demo")
    context = {}
    demo.seed(context)
    demo.seed(context)
    entry = LedgerEntry.objects.get()
    assert entry.is_demo and entry.stripe_id == f"ch_demo_{booking.reference}"
    assert booking_paid(booking) == booking.total_retail
    assert OperatorPayable.objects.filter(booking=booking).count() == 1
