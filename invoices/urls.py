from django.urls import path

from . import views, views_bookings, views_statements, views_traveller

app_name = "invoices"

urlpatterns = [
    path(
        "backoffice/invoices/stamp-duty/",
        views.BackofficeStampDutyView.as_view(),
        name="backoffice_stamp_duty",
    ),
    path(
        "account/bookings/<str:reference>/invoice-details/",
        views_traveller.TravellerInvoiceRequestView.as_view(),
        name="account_invoice_request",
    ),
    # Finance back office
    path("backoffice/invoices/", views.BackofficeInvoiceListView.as_view(), name="backoffice_list"),
    path(
        "backoffice/invoices/<int:pk>/",
        views.BackofficeInvoiceDetailView.as_view(),
        name="backoffice_detail",
    ),
    path(
        "backoffice/invoices/<int:pk>/pdf/",
        views.BackofficeInvoicePdfView.as_view(),
        name="backoffice_pdf",
    ),
    path(
        "backoffice/invoices/<int:pk>/xml/",
        views.BackofficeInvoiceXmlView.as_view(),
        name="backoffice_xml",
    ),
    path(
        "backoffice/invoices/<int:pk>/issue/",
        views.BackofficeInvoiceIssueView.as_view(),
        name="backoffice_issue",
    ),
    path(
        "backoffice/invoices/<int:pk>/paid/",
        views.BackofficeInvoicePaidView.as_view(),
        name="backoffice_paid",
    ),
    path(
        "backoffice/invoices/<int:pk>/sdi-status/",
        views.BackofficeSdiStatusView.as_view(),
        name="backoffice_sdi_status",
    ),
    path(
        "backoffice/invoices/<int:pk>/credit-note/",
        views.BackofficeCreditNoteView.as_view(),
        name="backoffice_credit_note",
    ),
    path(
        "backoffice/invoices/export/fatturapa/",
        views.BackofficeExportZipView.as_view(),
        name="backoffice_export_zip",
    ),
    path(
        "backoffice/invoices/export/csv/",
        views.BackofficeExportCsvView.as_view(),
        name="backoffice_export_csv",
    ),
    path(
        "backoffice/invoices/sdi-import/",
        views.BackofficeSdiImportView.as_view(),
        name="backoffice_sdi_import",
    ),
    path(
        "backoffice/invoices/not-invoiced/",
        views_bookings.BookingsNotInvoicedView.as_view(),
        name="backoffice_not_invoiced",
    ),
    path(
        "backoffice/invoices/not-invoiced/<str:reference>/retry/",
        views_bookings.BookingInvoiceRetryView.as_view(),
        name="backoffice_invoice_retry",
    ),
    path(
        "backoffice/invoices/monthly-summaries/issue/",
        views_bookings.MonthlySummaryIssueView.as_view(),
        name="backoffice_summary_issue",
    ),
    path(
        "backoffice/invoices/cancellations/",
        views_bookings.CancellationsToCreditView.as_view(),
        name="backoffice_cancellations",
    ),
    path(
        "backoffice/invoices/cancellations/<str:reference>/credit-note/",
        views_bookings.CancellationCreditView.as_view(),
        name="backoffice_cancellation_credit",
    ),
    path(
        "backoffice/statements/build/",
        views_statements.BackofficeStatementsBuildView.as_view(),
        name="backoffice_statements_build",
    ),
    path(
        "backoffice/statements/<int:pk>/commission-invoice/",
        views_statements.BackofficeStatementCommissionView.as_view(),
        name="backoffice_statement_commission",
    ),
    path(
        "backoffice/statements/",
        views_statements.BackofficeStatementListView.as_view(),
        name="backoffice_statements",
    ),
    # Trade partners
    path("trade/invoices/", views.TradeInvoiceListView.as_view(), name="trade_list"),
    path("trade/invoices/<int:pk>/pdf/", views.TradeInvoicePdfView.as_view(), name="trade_pdf"),
    path("trade/invoices/<int:pk>/xml/", views.TradeInvoiceXmlView.as_view(), name="trade_xml"),
    # Operators
    path(
        "operator/statements/",
        views_statements.OperatorStatementListView.as_view(),
        name="operator_statements",
    ),
    path(
        "operator/statements/<int:pk>/",
        views_statements.OperatorStatementDetailView.as_view(),
        name="operator_statement",
    ),
    path(
        "operator/statements/<int:pk>/pdf/",
        views_statements.OperatorStatementPdfView.as_view(),
        name="operator_statement_pdf",
    ),
    path(
        "operator/statements/<int:pk>/csv/",
        views_statements.OperatorStatementCsvView.as_view(),
        name="operator_statement_csv",
    ),
    path(
        "operator/statements/<int:pk>/commission-invoice/",
        views_statements.OperatorStatementInvoicePdfView.as_view(),
        name="operator_statement_invoice",
    ),
]
