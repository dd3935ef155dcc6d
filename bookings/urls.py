from django.urls import path

from . import views, views_manage, views_tourist_tax

app_name = "bookings"

backoffice = "backoffice/bookings/<str:reference>/"
trade = "trade/bookings/<str:reference>/"
account = "account/bookings/<str:reference>/"
guest = "bookings/manage/<str:token>/"

urlpatterns = [
    # DMC back office
    path("backoffice/bookings/", views.BackofficeBookingListView.as_view(), name="backoffice_list"),
    path(
        "backoffice/bookings/export.csv",
        views.BackofficeBookingExportView.as_view(),
        name="backoffice_export",
    ),
    path(backoffice, views.BackofficeBookingDetailView.as_view(), name="backoffice_detail"),
    path(f"{backoffice}extend/", views.BackofficeExtendView.as_view(), name="backoffice_extend"),
    path(f"{backoffice}confirm/", views.BackofficeConfirmView.as_view(), name="backoffice_confirm"),
    path(
        f"{backoffice}complete/",
        views.BackofficeCompleteView.as_view(),
        name="backoffice_complete",
    ),
    path(
        f"{backoffice}resend-voucher/",
        views.BackofficeResendVoucherView.as_view(),
        name="backoffice_resend_voucher",
    ),
    path(f"{backoffice}cancel/", views.BackofficeCancelView.as_view(), name="backoffice_cancel"),
    path(
        f"{backoffice}lines/add/",
        views.BackofficeAddLineView.as_view(),
        name="backoffice_add_line",
    ),
    path(
        f"{backoffice}lines/<int:line>/amend/",
        views.BackofficeAmendView.as_view(),
        name="backoffice_amend",
    ),
    path(
        f"{backoffice}voucher.pdf", views.BackofficeVoucherView.as_view(), name="backoffice_voucher"
    ),
    # Operator extranet
    path("operator/bookings/", views.OperatorLineListView.as_view(), name="operator_lines"),
    path(
        "operator/tourist-tax/",
        views_tourist_tax.OperatorTouristTaxReturnView.as_view(),
        name="operator_tourist_tax",
    ),
    path(
        "backoffice/tourist-tax/",
        views_tourist_tax.BackofficeTouristTaxReturnView.as_view(),
        name="backoffice_tourist_tax",
    ),
    path(
        "operator/bookings/<str:reference>/",
        views.OperatorBookingDetailView.as_view(),
        name="operator_detail",
    ),
    path(
        "operator/bookings/<str:reference>/lines/<int:pk>/tax-exemptions/",
        views_tourist_tax.OperatorTaxExemptionsView.as_view(),
        name="operator_tax_exemptions",
    ),
    path(
        f"{backoffice}lines/<int:pk>/tax-exemptions/",
        views_tourist_tax.BackofficeTaxExemptionsView.as_view(),
        name="backoffice_tax_exemptions",
    ),
    path(
        "operator/bookings/<str:reference>/voucher.pdf",
        views.OperatorVoucherView.as_view(),
        name="operator_voucher",
    ),
    path(
        "operator/slots/<int:pk>/manifest/",
        views.SlotManifestView.as_view(),
        name="operator_manifest",
    ),
    path("operator/redeem/", views.RedeemView.as_view(), name="operator_redeem"),
    # Trade partners
    path("trade/bookings/", views.TradeBookingListView.as_view(), name="trade_list"),
    path(trade, views.TradeBookingDetailView.as_view(), name="trade_detail"),
    path(f"{trade}cancel/", views.TradeCancelView.as_view(), name="trade_cancel"),
    path(f"{trade}voucher.pdf", views.TradeVoucherView.as_view(), name="trade_voucher"),
    path(f"{trade}rooming/", views.TradeRoomingView.as_view(), name="trade_rooming"),
    path(f"{trade}rooming.csv", views.TradeRoomingCsvView.as_view(), name="trade_rooming_csv"),
    path(
        f"{trade}participants/add/",
        views.TradeParticipantAddView.as_view(),
        name="trade_participant_add",
    ),
    path(
        f"{trade}participants/<int:pk>/",
        views.TradeParticipantEditView.as_view(),
        name="trade_participant_edit",
    ),
    # Travellers
    path("account/bookings/", views.TravellerBookingListView.as_view(), name="account_list"),
    # guests: the signed "manage my booking" link and the form that emails it
    path("bookings/find/", views_manage.FindBookingView.as_view(), name="guest_find"),
    path(guest, views_manage.GuestBookingDetailView.as_view(), name="guest_detail"),
    path(f"{guest}cancel/", views_manage.GuestCancelView.as_view(), name="guest_cancel"),
    path(f"{guest}voucher.pdf", views_manage.GuestVoucherView.as_view(), name="guest_voucher"),
    path(account, views.TravellerBookingDetailView.as_view(), name="account_detail"),
    path(f"{account}cancel/", views.TravellerCancelView.as_view(), name="account_cancel"),
    path(f"{account}voucher.pdf", views.TravellerVoucherView.as_view(), name="account_voucher"),
]
