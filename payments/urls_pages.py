from django.urls import path

from . import views_backoffice as bo
from . import views_pages as pages

app_name = "payments_pages"

urlpatterns = [
    path("checkout/<str:reference>/", pages.CheckoutView.as_view(), name="checkout"),
    path(
        "checkout/<str:reference>/invoice/",
        pages.CheckoutInvoiceView.as_view(),
        name="checkout_invoice",
    ),
    path("checkout/<str:reference>/pay/", pages.CheckoutPayView.as_view(), name="checkout_pay"),
    path(
        "checkout/<str:reference>/return/",
        pages.CheckoutReturnView.as_view(),
        name="checkout_return",
    ),
    path("backoffice/payments/", bo.PaymentsListView.as_view(), name="bo_payments"),
    path(
        "backoffice/payments/<str:reference>/",
        bo.BookingPaymentsView.as_view(),
        name="bo_booking_payments",
    ),
    path(
        "backoffice/payments/<str:reference>/refund/",
        bo.ManualRefundView.as_view(),
        name="bo_refund",
    ),
    path(
        "backoffice/payments/<str:reference>/refunds/<int:pk>/retry/",
        bo.RefundRetryView.as_view(),
        name="bo_refund_retry",
    ),
    path(
        "backoffice/payments/<str:reference>/transfer/",
        bo.BankTransferView.as_view(),
        name="bo_transfer",
    ),
    path(
        "backoffice/payments/<str:reference>/bank-refund/",
        bo.BankRefundView.as_view(),
        name="bo_bank_refund",
    ),
    path("backoffice/ledger/", bo.LedgerView.as_view(), name="bo_ledger"),
    path("backoffice/ledger/import/", bo.BankImportView.as_view(), name="bo_bank_import"),
    path("backoffice/ledger/unmatched/", bo.BankUnmatchedView.as_view(), name="bo_bank_unmatched"),
    path("backoffice/payouts/", bo.PayoutRunsView.as_view(), name="bo_payouts"),
    path("backoffice/payouts/<int:pk>/", bo.PayoutRunView.as_view(), name="bo_payout_run"),
    path(
        "backoffice/payouts/<int:pk>/sepa.xml", bo.PayoutSepaView.as_view(), name="bo_payout_sepa"
    ),
    path("backoffice/reconciliation/", bo.ReconciliationView.as_view(), name="bo_reconciliation"),
    path("backoffice/credit/", bo.CreditExposureView.as_view(), name="bo_credit"),
    path("operator/payouts/", bo.OperatorPayoutsView.as_view(), name="operator_payouts"),
    path("trade/account/", bo.TradeAccountView.as_view(), name="trade_account"),
]
