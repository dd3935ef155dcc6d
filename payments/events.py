"""What payments does when the booking engine publishes an event (bookings.events).
Registered in `PaymentsConfig.ready()`; each handler is idempotent (it re-reads the state)."""

from bookings import events


def _confirmed(*, booking_id: int) -> None:
    from .services import on_booking_confirmed

    on_booking_confirmed(booking_id)


def _cancelled(*, booking_id: int, cancelled_line_ids=None) -> None:
    from .services import on_booking_cancelled

    on_booking_cancelled(booking_id)


def _amended(*, booking_id: int) -> None:
    from .services import on_booking_amended

    on_booking_amended(booking_id)


def _redeemed(*, booking_id: int, line_ids=None) -> None:
    """A redeemed line's accrual follows its state (payable from the redemption on)."""
    from .payouts import payables_sync

    payables_sync(booking_id=booking_id)


def register() -> None:
    from bookings import confirmation

    from .credit import booking_confirm_on_account
    from .views_pages import checkout_url

    confirmation.register(confirmation.ON_ACCOUNT, booking_confirm_on_account)
    confirmation.register(confirmation.CHECKOUT_URL, checkout_url)
    events.subscribe(events.CONFIRMED, name="payments.booking_confirmed", function=_confirmed)
    events.subscribe(events.CANCELLED, name="payments.booking_cancelled", function=_cancelled)
    events.subscribe(events.AMENDED, name="payments.booking_amended", function=_amended)
    events.subscribe(events.REDEEMED, name="payments.booking_redeemed", function=_redeemed)
