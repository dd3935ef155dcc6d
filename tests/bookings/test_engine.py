from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from bookings import services
from bookings.models import (
    Allocation,
    Booking,
    BookingEvent,
    BookingStatus,
    CancelReason,
    LineStatus,
    TouristTaxRule,
)
from bookings.services import Busy, InvalidTransition, LineRequest, SoldOut, holds
from operators.models import CancellationPolicy, CancellationTier, Slot
from operators.pricing import PaxMix
from places.models import Comune
from tests.bookings.factories import hold_experience
from tests.operators.factories import (
    GoodsFactory,
    RateFactory,
    StockFactory,
    bookable_experience,
    bookable_stay,
)

pytestmark = pytest.mark.django_db


def _slot(booking):
    return Slot.objects.get(pk=booking.lines.first().slot_id)


def test_a_hold_takes_the_seats_and_records_an_event():
    booking = hold_experience(adults=3, capacity=10)
    assert booking.status == BookingStatus.HELD
    assert len(booking.reference) == 7
    assert not set(booking.reference) & set("0O1IL")
    slot = _slot(booking)
    assert (slot.held, slot.sold) == (3, 0)
    assert booking.total_retail == Decimal("90.00")
    assert booking.total_net == Decimal("72.00")
    assert booking.expires_at - timezone.now() <= timedelta(minutes=15)
    event = booking.events.get()
    assert (event.action, event.to_status) == ("hold", "held")


def test_a_trade_option_lasts_the_contract_days():
    from bookings.models import TradeContract
    from tests.factories import OrganisationFactory

    partner = OrganisationFactory(kind="trade", subkind="tour_operator")
    TradeContract.objects.create(organisation=partner, option_days=5)
    product, slot = bookable_experience()
    booking = services.booking_hold(
        lines=[LineRequest(product=product, day=slot.date, slot=slot, pax=PaxMix.of(adults=2))],
        channel="trade",
        contact_name="TO",
        contact_email="to@example.com",
        buyer_organisation=partner,
    )
    remaining = booking.expires_at - timezone.now()
    assert timedelta(days=4, hours=23) < remaining <= timedelta(days=5)


def test_over_capacity_is_sold_out_and_holds_nothing():
    product, slot = bookable_experience(capacity=4)
    other, other_slot = bookable_experience(capacity=10)
    with pytest.raises(SoldOut) as exc:
        services.booking_hold(
            lines=[
                LineRequest(
                    product=other, day=other_slot.date, slot=other_slot, pax=PaxMix.of(adults=5)
                ),
                LineRequest(product=product, day=slot.date, slot=slot, pax=PaxMix.of(adults=5)),
            ],
            channel="web",
            contact_name="A",
            contact_email="a@example.com",
        )
    assert "4" in exc.value.message
    other_slot.refresh_from_db()
    slot.refresh_from_db()
    assert other_slot.held == 0 and slot.held == 0
    assert not Booking.objects.exists()
    assert not Allocation.objects.exists()


def test_the_database_refuses_an_oversell_even_without_the_check():
    from django.db import IntegrityError, transaction
    from django.db.models import F

    _product, slot = bookable_experience(capacity=2)
    with pytest.raises(IntegrityError), transaction.atomic():
        Slot.objects.filter(pk=slot.pk).update(held=F("held") + 3)


def test_bad_input_is_refused_with_a_field():
    product, slot = bookable_experience(capacity=10, max_pax=6)
    with pytest.raises(ValidationError) as exc:
        services.booking_hold(
            lines=[LineRequest(product=product, day=slot.date, slot=slot, pax=PaxMix.of(adults=7))],
            channel="web",
            contact_name="A",
            contact_email="a@example.com",
        )
    assert "pax" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.booking_hold(
            lines=[
                LineRequest(
                    product=product,
                    day=slot.date - timedelta(days=30),
                    slot=slot,
                    pax=PaxMix.of(adults=1),
                )
            ],
            channel="web",
            contact_name="A",
            contact_email="a@example.com",
        )
    assert "date" in exc.value.message_dict
    product.status = "archived"
    product.save()
    with pytest.raises(ValidationError) as exc:
        services.booking_hold(
            lines=[LineRequest(product=product, day=slot.date, slot=slot, pax=PaxMix.of(adults=1))],
            channel="web",
            contact_name="A",
            contact_email="a@example.com",
        )
    assert "product" in exc.value.message_dict
    slot.refresh_from_db()
    assert slot.held == 0


def test_confirm_moves_held_to_sold_and_is_idempotent(django_capture_on_commit_callbacks):
    booking = hold_experience(adults=2)
    with django_capture_on_commit_callbacks(execute=True):
        services.booking_confirm(booking=booking, via="test")
        services.booking_confirm(booking=booking, via="test again")
    booking.refresh_from_db()
    slot = _slot(booking)
    assert booking.status == BookingStatus.CONFIRMED
    assert (slot.held, slot.sold) == (0, 2)
    assert booking.events.filter(action="confirm").count() == 1
    assert booking.voucher.pdf
    buyer_mail = next(m for m in mail.outbox if m.to == ["anna@example.com"] and m.attachments)
    assert booking.reference in buyer_mail.subject
    names = [a[0] for a in buyer_mail.attachments]
    assert f"voucher-{booking.reference}.pdf" in names
    assert f"{booking.reference}.ics" in names


def test_notifications_are_sent_only_after_commit():
    from django.db import transaction

    with pytest.raises(RuntimeError), transaction.atomic():
        hold_experience(adults=1)
        raise RuntimeError("rolled back")
    assert mail.outbox == []
    assert not Booking.objects.exists()


def test_transitions_outside_the_table_are_refused():
    booking = hold_experience(adults=1)
    with pytest.raises(InvalidTransition):
        services.booking_complete(booking=booking)
    services.booking_cancel(booking=booking, reason=CancelReason.BUYER)
    with pytest.raises(InvalidTransition):
        services.booking_confirm(booking=booking)


def test_every_transition_writes_an_event():
    booking = hold_experience(adults=1)
    services.booking_request_payment(booking=booking)
    services.booking_confirm(booking=booking)
    services.booking_complete(booking=booking, today=booking.lines.get().service_date)
    pairs = list(booking.events.values_list("from_status", "to_status"))
    assert pairs == [
        ("", "held"),
        ("held", "pending_payment"),
        ("pending_payment", "confirmed"),
        ("confirmed", "completed"),
    ]


def test_expired_holds_are_released_by_the_periodic_task():
    booking = hold_experience(adults=3)
    Booking.objects.filter(pk=booking.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    assert services.holds_release_expired() == 1
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED
    assert booking.cancel_reason == CancelReason.EXPIRED
    assert _slot(booking).held == 0
    with pytest.raises(InvalidTransition):
        services.booking_confirm(booking=booking)


def test_an_expired_option_cannot_be_confirmed_before_the_task_runs():
    booking = hold_experience(adults=1)
    Booking.objects.filter(pk=booking.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    with pytest.raises(InvalidTransition):
        services.booking_confirm(booking=booking)


def _tiers_policy():
    policy = CancellationPolicy.objects.create(name="Standard")
    CancellationTier.objects.create(policy=policy, days_before=30, penalty_percent=30)
    CancellationTier.objects.create(policy=policy, days_before=7, penalty_percent=50)
    CancellationTier.objects.create(policy=policy, days_before=1, penalty_percent=100)
    return policy


@pytest.mark.parametrize(
    ("days_ahead", "penalty"),
    [(40, "0.00"), (30, "18.00"), (10, "18.00"), (7, "30.00"), (1, "60.00"), (0, "60.00")],
)
def test_cancellation_tiers(days_ahead, penalty):
    policy = _tiers_policy()
    booking = hold_experience(adults=2, days_ahead=days_ahead, cancellation_policy=policy)
    services.booking_confirm(booking=booking)
    result = services.booking_cancel(booking=booking, reason=CancelReason.BUYER)
    assert result.penalty == Decimal(penalty)
    assert result.refund_due == Decimal("60.00") - Decimal(penalty)
    booking.refresh_from_db()
    assert booking.lines.first().cancellation_tiers[0]["days_before"] == 30
    assert _slot(booking).sold == 0


def test_tiers_are_copied_at_booking_time():
    policy = _tiers_policy()
    booking = hold_experience(adults=2, days_ahead=10, cancellation_policy=policy)
    services.booking_confirm(booking=booking)
    policy.tiers.all().delete()  # the policy changes afterwards
    result = services.booking_cancel(booking=booking, reason=CancelReason.BUYER)
    assert result.penalty == Decimal("18.00")


def test_free_cancellation_for_extraordinary_circumstances_and_dmc_waiver():
    policy = _tiers_policy()
    booking = hold_experience(adults=2, days_ahead=2, cancellation_policy=policy)
    services.booking_confirm(booking=booking)
    result = services.booking_cancel(booking=booking, reason=CancelReason.EXTRAORDINARY)
    assert result.penalty == 0
    assert result.refund_due == Decimal("60.00")


def test_partial_cancellation_of_one_line():
    product, slot = bookable_experience(capacity=10, days_ahead=40)
    other, other_slot = bookable_experience(capacity=10, days_ahead=40, adult="50.00", net="40.00")
    booking = services.booking_hold(
        lines=[
            LineRequest(product=product, day=slot.date, slot=slot, pax=PaxMix.of(adults=2)),
            LineRequest(
                product=other, day=other_slot.date, slot=other_slot, pax=PaxMix.of(adults=2)
            ),
        ],
        channel="web",
        contact_name="A",
        contact_email="a@example.com",
    )
    services.booking_confirm(booking=booking)
    second = booking.lines.get(slot=other_slot)
    result = services.booking_cancel(
        booking=booking, reason=CancelReason.BUYER, line_ids=[second.pk]
    )
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED
    assert result.refund_due == Decimal("100.00")
    assert booking.total_retail == Decimal("60.00")
    other_slot.refresh_from_db()
    slot.refresh_from_db()
    assert (other_slot.sold, slot.sold) == (0, 2)
    assert booking.lines.get(pk=second.pk).status == LineStatus.CANCELLED


def test_partial_cancellation_per_participant():
    from bookings.models import Participant

    booking = hold_experience(adults=3, days_ahead=40)
    services.booking_confirm(booking=booking)
    people = [
        Participant.objects.create(booking=booking, first_name=f"P{i}", last_name="X")
        for i in range(3)
    ]
    result = services.participants_cancel(booking=booking, participant_ids=[people[0].pk])
    booking.refresh_from_db()
    assert result.refund_due == Decimal("30.00")
    assert booking.total_retail == Decimal("60.00")
    assert _slot(booking).sold == 2


def test_amendment_moves_inventory_and_records_the_difference():
    product, slot = bookable_experience(capacity=10, days_ahead=10)
    from tests.operators.factories import SlotFactory

    later = SlotFactory(product=product, date=slot.date + timedelta(days=1), capacity=3)
    booking = services.booking_hold(
        lines=[LineRequest(product=product, day=slot.date, slot=slot, pax=PaxMix.of(adults=2))],
        channel="web",
        contact_name="A",
        contact_email="a@example.com",
    )
    services.booking_confirm(booking=booking)
    line = booking.lines.get()
    preview = services.amendment_preview(
        line=line, day=later.date, slot=later, pax=PaxMix.of(adults=3)
    )
    assert preview.problem is None
    assert preview.difference == Decimal("30.00")
    amendment = services.booking_amend(
        line=line,
        day=later.date,
        slot=later,
        pax=PaxMix.of(adults=3),
        expected_total=preview.new_total,
    )
    assert amendment.difference == Decimal("30.00")
    slot.refresh_from_db()
    later.refresh_from_db()
    assert (slot.sold, later.sold) == (0, 3)
    booking.refresh_from_db()
    assert booking.total_retail == Decimal("90.00")
    assert amendment.data["before"]["slot"] == slot.pk


def test_an_amendment_that_does_not_fit_changes_nothing():
    product, slot = bookable_experience(capacity=10, days_ahead=10)
    from tests.operators.factories import SlotFactory

    small = SlotFactory(product=product, date=slot.date + timedelta(days=1), capacity=1)
    booking = services.booking_hold(
        lines=[LineRequest(product=product, day=slot.date, slot=slot, pax=PaxMix.of(adults=2))],
        channel="web",
        contact_name="A",
        contact_email="a@example.com",
    )
    line = booking.lines.get()
    assert services.amendment_preview(line=line, day=small.date, slot=small).problem
    with pytest.raises(SoldOut):
        services.booking_amend(line=line, day=small.date, slot=small)
    slot.refresh_from_db()
    small.refresh_from_db()
    assert (slot.held, small.held) == (2, 0)


def test_amendment_refuses_a_price_the_user_did_not_see():
    booking = hold_experience(adults=2)
    line = booking.lines.get()
    with pytest.raises(ValidationError):
        services.booking_amend(line=line, pax=PaxMix.of(adults=3), expected_total=Decimal("60"))
    assert _slot(booking).held == 2


def test_a_stay_takes_every_night_and_computes_the_tourist_tax():
    hotel, unit_type, start = bookable_stay(units=3, nights=6, price="100.00", net="80.00")
    lucca = Comune.objects.get(name="Lucca")
    hotel.comune = lucca
    hotel.save()
    TouristTaxRule.objects.create(
        comune=lucca,
        categories="hotel_1,hotel_2,hotel_3",
        rate_per_night=Decimal("3.50"),
        valid_from=start - timedelta(days=400),
        max_nights=3,
        exempt_under_age=12,
    )
    booking = services.booking_hold(
        lines=[
            LineRequest(
                product=hotel,
                day=start,
                unit_type=unit_type,
                check_out=start + timedelta(days=5),
                units=1,
                pax=PaxMix.of(adults=2, children_ages=[8]),
            )
        ],
        channel="web",
        contact_name="A",
        contact_email="a@example.com",
    )
    line = booking.lines.get()
    assert line.retail_amount == Decimal("500.00")
    assert line.allocations.count() == 5
    assert set(unit_type.nights.filter(held=1).values_list("date", flat=True)) == {
        start + timedelta(days=i) for i in range(5)
    }
    # 2 adults x 3 nights (cap) x 3.50; the 8-year-old is exempt
    assert line.tourist_tax == Decimal("21.00")
    assert booking.tourist_tax == Decimal("21.00")
    assert booking.total_retail == Decimal("500.00")  # the tax is shown separately


def test_a_stay_with_too_many_guests_holds_nothing():
    hotel, unit_type, start = bookable_stay(units=3, max_occupancy=2, standard_occupancy=2)
    with pytest.raises(ValidationError):
        services.booking_hold(
            lines=[
                LineRequest(
                    product=hotel,
                    day=start,
                    unit_type=unit_type,
                    check_out=start + timedelta(days=2),
                    units=1,
                    pax=PaxMix.of(adults=3),
                )
            ],
            channel="web",
            contact_name="A",
            contact_email="a@example.com",
        )
    assert not unit_type.nights.filter(held__gt=0).exists()


def test_goods_take_stock():
    goods = GoodsFactory()
    RateFactory(
        product=goods, pax_category="unit", retail_price=Decimal("12.00"), net_price=Decimal("9.00")
    )
    stock = StockFactory(product=goods, quantity=3)
    day = timezone.localdate()
    booking = services.booking_hold(
        lines=[LineRequest(product=goods, day=day, quantity=2)],
        channel="iat",
        contact_name="A",
        contact_email="a@example.com",
    )
    stock.refresh_from_db()
    assert stock.held == 2
    assert booking.total_retail == Decimal("24.00")
    with pytest.raises(SoldOut):
        services.booking_hold(
            lines=[LineRequest(product=goods, day=day, quantity=2)],
            channel="iat",
            contact_name="A",
            contact_email="a@example.com",
        )


def test_a_lock_timeout_is_busy_not_a_crash(monkeypatch):
    from django.db import OperationalError

    class LockNotAvailable(Exception):
        sqlstate = "55P03"

    def locked(*args, **kwargs):
        error = OperationalError("canceling statement due to lock timeout")
        error.__cause__ = LockNotAvailable()
        raise error

    monkeypatch.setattr(holds, "_take", locked)
    product, slot = bookable_experience()
    with pytest.raises(Busy):
        services.booking_hold(
            lines=[LineRequest(product=product, day=slot.date, slot=slot, pax=PaxMix.of(adults=1))],
            channel="web",
            contact_name="A",
            contact_email="a@example.com",
        )
    assert not Booking.objects.exists()
    assert BookingEvent.objects.count() == 0
