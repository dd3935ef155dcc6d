"""The booking engine. Every channel books through these functions.

Inventory (slots, nights, goods stock) is taken, converted, moved and released only here,
inside one transaction, after locking the rows in a fixed order (slots, then nights, then
stock, each by primary key) so that two bookings never deadlock; counters change with F()
expressions under a CheckConstraint `sold + held <= capacity`. A lock wait longer than the
database's lock_timeout becomes `Busy` (HTTP 409), never a partial booking.

One module per capability; the public names are re-exported here."""

from .cancellation import (
    CancellationResult,
    booking_cancel,
    bookings_cancel_for_departures,
    cancellation_preview,
    participants_cancel,
)
from .changes import (
    AmendmentPreview,
    add_lines_preview,
    amendment_preview,
    booking_add_lines,
    booking_amend,
    booking_amend_package,
    booking_contact_update,
    booking_remove_line,
    line_removal_preview,
    package_amendment_preview,
)
from .common import settings_dmc_email
from .confirmation import (
    booking_complete,
    booking_confirm,
    booking_extend_option,
    booking_request_payment,
)
from .errors import (
    BookingError,
    Busy,
    InvalidTransition,
    OptionBeyondCutoff,
    PaymentRequired,
    ServiceNotReached,
    SoldOut,
)
from .holds import booking_hold, holds_release_expired
from .planning import (
    DEFAULT_CANCELLATION_TIERS,
    DEFAULT_OPTION_DAYS,
    TRAVELLER_HOLD,
    LineRequest,
)
from .redemption import RedeemCode, RedemptionResult, booking_complete_if_served, voucher_redeem
from .tax_exemptions import (
    TaxExemptionsInvalid,
    booking_line_tax_exemptions_set,
    tax_exemption_reasons_for,
)

__all__ = [
    "DEFAULT_CANCELLATION_TIERS",
    "DEFAULT_OPTION_DAYS",
    "TRAVELLER_HOLD",
    "AmendmentPreview",
    "BookingError",
    "Busy",
    "CancellationResult",
    "InvalidTransition",
    "LineRequest",
    "OptionBeyondCutoff",
    "PaymentRequired",
    "RedeemCode",
    "RedemptionResult",
    "ServiceNotReached",
    "SoldOut",
    "TaxExemptionsInvalid",
    "add_lines_preview",
    "amendment_preview",
    "booking_add_lines",
    "booking_amend",
    "booking_amend_package",
    "booking_remove_line",
    "line_removal_preview",
    "package_amendment_preview",
    "booking_cancel",
    "booking_complete",
    "booking_complete_if_served",
    "booking_contact_update",
    "booking_confirm",
    "booking_extend_option",
    "booking_hold",
    "booking_line_tax_exemptions_set",
    "booking_request_payment",
    "bookings_cancel_for_departures",
    "cancellation_preview",
    "holds_release_expired",
    "participants_cancel",
    "settings_dmc_email",
    "tax_exemption_reasons_for",
    "voucher_redeem",
]
