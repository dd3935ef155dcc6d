"""Confirmation paths that are not a card payment, owned by payments: on account, only if
the booking's total fits in the partner's credit left as computed from the ledger (else
`bookings.services.PaymentRequired`, a 402)."""


def confirm_on_account(*, booking, organisation, actor=None):
    from payments.credit import booking_confirm_on_account

    return booking_confirm_on_account(booking=booking, organisation=organisation, actor=actor)
