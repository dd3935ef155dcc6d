"""The portal's public pages (under the language prefix). URL names are global, as they were
when the storefront lived in the settings package: `home`, `discover`, `discover_product`…"""

from django.urls import path

from .views import cart, storefront
from .views.home import HomeView

urlpatterns = [
    path("", HomeView.as_view(), name="home"),
    path("discover/", storefront.discover, name="discover"),
    path("discover/packages/", storefront.packages_list, name="discover_packages"),
    path("discover/packages/<slug:slug>/", storefront.package_book, name="discover_package"),
    path("discover/<slug:slug>/", storefront.product_page, name="discover_product"),
    path("discover/<slug:slug>/book/", storefront.book, name="discover_book"),
    path("cart/", cart.cart_page, name="cart"),
    path("cart/remove/<int:line_id>/", cart.cart_remove, name="cart_remove"),
    path("cart/checkout/", cart.cart_checkout, name="cart_checkout"),
    path("terms/", cart.terms_page, name="terms"),
    path("privacy/", cart.privacy_page, name="privacy"),
]
