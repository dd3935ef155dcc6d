from django.urls import path

from . import views

app_name = "tradeportal"

quote = "trade/quotes/<str:reference>/"
option = "trade/options/<str:reference>/"

urlpatterns = [
    path("trade/", views.HomeView.as_view(), name="home"),
    path("trade/search/", views.SearchView.as_view(), name="search"),
    path("trade/quotes/", views.QuoteListView.as_view(), name="quotes"),
    path("trade/quotes/new/", views.QuoteCreateView.as_view(), name="quote_new"),
    path("trade/quotes/add-line/", views.QuoteAddLineView.as_view(), name="quote_add_line"),
    path(quote, views.QuoteDetailView.as_view(), name="quote"),
    path(
        f"{quote}lines/<int:pk>/remove/",
        views.QuoteLineRemoveView.as_view(),
        name="quote_line_remove",
    ),
    path(f"{quote}send/", views.QuoteSendView.as_view(), name="quote_send"),
    path(f"{quote}quote.pdf", views.QuotePdfView.as_view(), name="quote_pdf"),
    path(f"{quote}option/", views.QuoteConvertView.as_view(), name="quote_convert"),
    path(option, views.OptionDetailView.as_view(), name="option"),
    path(f"{option}confirm/", views.OptionConfirmView.as_view(), name="option_confirm"),
    path(f"{option}pay/", views.OptionPayView.as_view(), name="option_pay"),
    path(f"{option}lines/<int:line>/amend/", views.OptionAmendView.as_view(), name="option_amend"),
]
