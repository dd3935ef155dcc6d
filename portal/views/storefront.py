"""The public storefront: search the destination's offer, see a product's bookable options
priced for your party, and book one (a 15-minute hold, then the checkout)."""

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bookings import services as booking_services
from bookings.services.cart import CartClosed, CartExpired
from marketplace.errors import user_message
from operators.models import Product, ProductKind, ProductStatus
from operators.pricing import PaxMix
from operators.selectors import (
    SearchCriteria,
    availability_options,
    availability_search,
    search_page,
)
from portal.calendars import availability_calendar
from portal.cart import cart_add, cart_contact
from portal.filters import CatalogueFilter
from portal.forms import BookForm, PackageBookForm, SearchForm
from portal.fragments import search_form_html
from portal.suggestions import search_suggestions

PAGE_SIZE = 12


def _criteria(form: SearchForm) -> SearchCriteria:
    data = form.cleaned_data
    return SearchCriteria(
        start=data["start"],
        end=data["end"],
        pax=form.pax(),
        comune=data["comune"].istat_code if data.get("comune") else None,
        kind=data.get("kind") or None,
        theme=data["theme"].slug if data.get("theme") else None,
        q=data.get("q") or "",
    )


def discover(request):
    form = SearchForm(request.GET or None)
    filters = CatalogueFilter(request.GET or None, queryset=Product.objects.none())
    results, total, page, suggestions = [], 0, 1, None
    at_least = has_next = False
    if form.is_valid() and filters.form.is_valid():
        try:
            page = max(int(request.GET.get("page", 1)), 1)
        except ValueError:
            page = 1
        criteria = _criteria(form)
        # The same FilterSet (its form already validated) filters the search: `qs` is built
        # on first use from `queryset`.
        filters.queryset = availability_search(criteria=criteria)
        queryset = filters.qs
        found = search_page(queryset, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
        total, at_least, has_next = found.total, found.at_least, found.has_more
        results = availability_options(found.rows, criteria=criteria)
        if not total:
            suggestions = search_suggestions(criteria=criteria, query=request.GET)
    query = {k: v for k, v in request.GET.items() if k != "page"}
    return render(
        request,
        "portal/discover.html",
        {
            "form": form,
            "search_form_html": search_form_html(request, form=form, filters=filters),
            "results": results,
            "total": total,
            "page": page,
            "at_least": at_least,
            "has_next": has_next,
            "query": urlencode(query),
            "suggestions": suggestions,
        },
    )


def product_page(request, slug):
    product = get_object_or_404(
        Product.objects.select_related(
            "comune", "organisation", "cancellation_policy"
        ).prefetch_related("photos", "themes", "languages", "cancellation_policy__tiers"),
        slug=slug,
        status=ProductStatus.PUBLISHED,
    )
    form = SearchForm(request.GET or None)
    availability = None
    if form.is_valid():
        criteria = _criteria(form)
        found = availability_options([product], criteria=criteria)
        availability = found[0] if found else None
    calendar = availability_calendar(
        product=product, form=form, from_today="start" not in request.GET
    )
    user = request.user
    contact = cart_contact(request) or {
        "contact_name": user.get_full_name() if user.is_authenticated else "",
        "contact_email": user.email if user.is_authenticated else "",
    }
    return render(
        request,
        "portal/product.html",
        {
            "product": product,
            "form": form,
            "availability": availability,
            "contact": contact,
            "search_query": urlencode(dict(request.GET.items())),
            "calendar": calendar,
            # Arrived without dates (from a story, the home page): the calendar leads, not
            # a "not available" for the default dates.
            "dates_given": "start" in request.GET,
        },
    )


def _channel(request) -> str:
    """An IAT desk agent booking for a visitor sells through the IAT channel."""
    membership = getattr(request, "membership", None)
    if membership and membership.organisation.kind == "iat":
        return "iat"
    return "web"


def _buyer_organisation(request):
    """A trade partner's member booking on the storefront books for the partner: the booking
    belongs to the agency (its bookings list, invoices, contract)."""
    membership = getattr(request, "membership", None)
    if membership and membership.organisation.kind == "trade":
        return membership.organisation
    return None


@require_POST
def book(request, slug):
    product = get_object_or_404(Product, slug=slug, status=ProductStatus.PUBLISHED)
    form = BookForm(request.POST)
    back = (
        reverse("discover_product", args=[slug])
        + "?"
        + urlencode(
            {k: request.POST.get(k, "") for k in ("start", "end", "adults", "children_ages")}
        )
    )
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(back)
    data = form.cleaned_data
    pax = PaxMix.of(adults=data["adults"], children_ages=data["children_ages"])
    line = booking_services.LineRequest(product=product, day=data["start"], pax=pax)
    if product.kind in (ProductKind.EXPERIENCE, ProductKind.SERVICE):
        line.slot = product.slots.filter(pk=data.get("slot")).first()
        line.units = data.get("units") or 1
        if line.slot is not None:
            line.day = line.slot.date
    elif product.kind == ProductKind.ACCOMMODATION:
        line.unit_type = product.unit_types.filter(pk=data.get("unit_type")).first()
        line.check_out = data["end"]
        line.units = data.get("units") or 1
    else:
        line.quantity = data.get("quantity") or 1
    try:
        booking = cart_add(
            request,
            lines=[line],
            contact=data,
            channel=_channel(request),
            buyer_organisation=_buyer_organisation(request),
        )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect(back)
    except (booking_services.SoldOut, booking_services.Busy, CartClosed, CartExpired) as exc:
        messages.error(request, user_message(exc))
        return redirect(back if not isinstance(exc, CartClosed) else reverse("cart"))
    messages.success(
        request,
        _("%(item)s is in your cart (booking %(ref)s).")
        % {"item": product.title, "ref": booking.reference},
    )
    return redirect("cart")


def packages_list(request):
    from packages.models import Package, PackageStatus

    packages = (
        Package.objects.filter(status=PackageStatus.PUBLISHED)
        .prefetch_related("comuni", "themes")
        .order_by("title")
    )
    return render(request, "portal/packages.html", {"packages": packages})


def package_book(request, slug):
    """Quote a package for a date and party, show the pre-contract information's link and
    book it once the traveller has accepted it."""
    from bookings.package_lines import PackageLineRequest
    from packages.models import Package, PackageStatus
    from packages.quotes import package_month_availability, package_quote
    from packages.selectors import upcoming_departures

    package = get_object_or_404(Package, slug=slug, status=PackageStatus.PUBLISHED)
    data = request.POST if request.method == "POST" else (request.GET or None)
    if request.method == "GET" and data is not None:
        data = data.copy()
        for key, value in cart_contact(request).items():
            data.setdefault(key, value)
    form = PackageBookForm(data)
    quote = None
    if form.is_valid() and form.pax().seats:
        quote = package_quote(
            package=package, start_date=form.cleaned_data["start"], pax=form.pax()
        )
    if request.method == "POST" and form.is_valid() and quote is not None:
        values = dict(form.cleaned_data)
        missing = [name for name in ("contact_name", "contact_email") if not values[name]]
        for name in missing:
            form.add_error(name, _("This field is required."))
        if not values["accept_terms"]:
            form.add_error("accept_terms", _("Accept the pre-contract information to book."))
        if not missing and values["accept_terms"] and quote.available:
            try:
                booking = cart_add(
                    request,
                    package_lines=[
                        PackageLineRequest(
                            package=package,
                            start_date=values["start"],
                            pax=form.pax(),
                            terms_accepted=True,
                        )
                    ],
                    contact=values,
                    channel=_channel(request),
                    buyer_organisation=_buyer_organisation(request),
                )
            except ValidationError as exc:
                for message in exc.messages:
                    messages.error(request, message)
            except (
                booking_services.SoldOut,
                booking_services.Busy,
                CartClosed,
                CartExpired,
            ) as exc:
                messages.error(request, user_message(exc))
            else:
                messages.success(
                    request,
                    _("%(item)s is in your cart (booking %(ref)s).")
                    % {"item": package.title, "ref": booking.reference},
                )
                return redirect("cart")
    today = timezone.localdate()
    pax = form.pax() if form.is_valid() and form.pax().seats else PaxMix.of(adults=2)
    month = form.cleaned_data["start"] if form.is_valid() else today
    month_days = [
        day
        for day in package_month_availability(package, month=month, pax=pax)
        if day.date >= today
    ]
    return render(
        request,
        "portal/package_book.html",
        {
            "package": package,
            "form": form,
            "quote": quote,
            "departures": upcoming_departures(package).filter(date__gte=today)[:12],
            "month_days": month_days,
            "pax_query": urlencode(
                {"adults": pax.adults, "children_ages": ", ".join(map(str, pax.children_ages))}
            ),
        },
    )
