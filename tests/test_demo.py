"""The demo data loads, is idempotent, and covers what the screens need."""

import pytest
from django.core.management import call_command

from accounts.models import Organisation, User
from bookings.models import Booking
from operators.models import Product, Slot

pytestmark = pytest.mark.django_db


def test_seed_demo_twice_gives_the_same_data(capsys):
    call_command("seed_demo")
    output = capsys.readouterr().out
    assert "admin@pianadilucca.example" in output
    assert "pdl_demo0001_" in output
    counts = (
        Organisation.objects.count(),
        Product.objects.count(),
        Slot.objects.count(),
        Booking.objects.count(),
    )
    call_command("seed_demo", "--quiet-logins")
    assert (
        Organisation.objects.count(),
        Product.objects.count(),
        Slot.objects.count(),
        Booking.objects.count(),
    ) == counts
    operators = Organisation.objects.filter(kind="operator")
    assert operators.count() >= 20
    assert set(operators.values_list("comune__name", flat=True)) >= {
        "Lucca",
        "Capannori",
        "Altopascio",
        "Montecarlo",
        "Villa Basilica",
        "Porcari",
    }
    assert Organisation.objects.filter(kind="trade").count() == 3
    demo_users = User.objects.filter(email__endswith=".example")
    assert demo_users.count() >= 10
    assert all(user.check_password("piana-demo-2026") for user in demo_users[:3])
    assert not demo_users.exclude(password=demo_users[0].password).exists()
    assert Product.objects.count() >= 55
    statuses = set(Booking.objects.values_list("status", flat=True))
    assert statuses >= {"held", "pending_payment", "confirmed", "completed", "no_show", "cancelled"}
    channels = set(Booking.objects.values_list("channel", flat=True))
    assert channels >= {"web", "trade", "api", "iat", "backoffice"}
