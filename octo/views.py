"""The OCTO supplier API (octo.travel), served to trade partners under /octo/. Thin views: read
the request, call a selector or a service, answer JSON in the standard's shapes. Every error is
the standard's body ({"error", "errorMessage", ...}) with its status; never a 500 for bad input."""

from __future__ import annotations

import functools
import json
import logging

from django.conf import settings
from django.http import JsonResponse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from accounts.models import OrganisationKind
from accounts.services import api_key_authenticate

from . import services
from .availability import availability_calendar, availability_check, parse_day
from .catalogue import (
    contract_tiers,
    option_get,
    product_dict,
    product_get,
    products_queryset,
    start_times_by_product,
)
from .errors import BadRequest, Forbidden, OctoError, Unauthorized
from .models import OctoBooking
from .serializers import booking_dict

logger = logging.getLogger(__name__)

PRICING = "octo/pricing"
SUPPORTED_CAPABILITIES = (PRICING,)
MAX_BODY = 256 * 1024


class OctoRequest:
    """What a view needs of an authenticated OCTO request."""

    def __init__(self, request, organisation, capabilities, body):
        self.request = request
        self.organisation = organisation
        self.capabilities = capabilities
        self.body = body

    @property
    def pricing(self) -> bool:
        return PRICING in self.capabilities


def _error(exc: OctoError) -> JsonResponse:
    response = JsonResponse(exc.body(), status=exc.status)
    if exc.status == 401:
        response["WWW-Authenticate"] = "Bearer"
    return response


def _authenticate(request):
    header = request.headers.get("Authorization", "")
    parts = header.split()
    if len(parts) != 2 or parts[0] != "Bearer" or "\x00" in header:
        raise Unauthorized()
    api_key = api_key_authenticate(parts[1])
    if api_key is None:
        raise Unauthorized()
    if api_key.organisation.kind != OrganisationKind.TRADE:
        raise Forbidden()
    return api_key.organisation


def _capabilities(request) -> tuple[str, ...]:
    raw = request.headers.get("Octo-Capabilities", "")
    asked = [c.strip() for c in raw.split(",") if c.strip()]
    return tuple(c for c in SUPPORTED_CAPABILITIES if c in asked)


def _body(request):
    if request.method not in ("POST", "PATCH"):
        return {}
    if len(request.body) > MAX_BODY:
        raise BadRequest(_("The request body is too large."))
    if not request.body.strip():
        return {}
    if b"\x00" in request.body or b"\\u0000" in request.body:
        raise BadRequest(_("The request contains a NUL character."))
    try:
        data = json.loads(request.body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        raise BadRequest(_("The request body is not valid JSON.")) from None
    if not isinstance(data, dict):
        raise BadRequest(_("The request body must be a JSON object."))
    return data


def _language(request) -> str:
    """The Accept-Language of the request among ours; English when it names none (never the
    site's default Italian to a foreign partner)."""
    if not request.headers.get("Accept-Language"):
        return "en"
    return translation.get_language_from_request(request, check_path=False) or "en"


def octo_endpoint(*methods):
    """Method check, Bearer key of a trade partner, capabilities, JSON body, the partner's
    language, and the standard's error bodies."""

    def decorator(view):
        @csrf_exempt
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            language = _language(request)
            with translation.override(language):
                try:
                    if request.method not in methods:
                        raise BadRequest(
                            _("Method %(method)s is not allowed here.") % {"method": request.method}
                        )
                    organisation = _authenticate(request)
                    capabilities = _capabilities(request)
                    octo = OctoRequest(request, organisation, capabilities, _body(request))
                    payload = view(octo, *args, **kwargs)
                    response = JsonResponse(payload, safe=False)
                except OctoError as exc:
                    response = _error(exc)
                    capabilities = ()
                except Exception:  # an unexpected fault: the standard's body, logged
                    logger.exception("OCTO %s %s failed", request.method, request.path)
                    response = JsonResponse(
                        {
                            "error": "INTERNAL_SERVER_ERROR",
                            "errorMessage": _(
                                "There was an un-recoverable error, please try again."
                            ),
                        },
                        status=500,
                    )
                    capabilities = ()
                response["Octo-Capabilities"] = ", ".join(capabilities)
                response["Content-Language"] = language
                return response

        return wrapper

    return decorator


def _dispatch(by_method):
    """One URL, several methods (GET and PATCH /bookings/{uuid}, GET and POST /bookings)."""
    allowed = tuple(by_method)

    @octo_endpoint(*allowed)
    def view(octo, *args, **kwargs):
        return by_method[octo.request.method](octo, *args, **kwargs)

    return view


# --- supplier and products ----------------------------------------------------------------


@octo_endpoint("GET")
def supplier(octo):
    return {
        "id": getattr(settings, "OCTO_SUPPLIER_ID", "piana-di-lucca-dmc"),
        "name": getattr(settings, "OCTO_SUPPLIER_NAME", "Piana di Lucca DMC"),
        "endpoint": octo.request.build_absolute_uri("/octo"),
        "contact": {
            "website": octo.request.build_absolute_uri("/"),
            "email": getattr(settings, "DMC_NOTIFICATION_EMAIL", "") or settings.DEFAULT_FROM_EMAIL,
            "telephone": None,
            "address": "Lucca, Toscana, Italia",
        },
    }


@octo_endpoint("GET")
def products(octo):
    found = list(products_queryset())
    times = start_times_by_product(found)
    tiers = contract_tiers(octo.organisation)
    return [
        product_dict(
            octo.organisation,
            p,
            pricing=octo.pricing,
            start_times=times.get(p.pk, []),
            tiers=tiers,
        )
        for p in found
    ]


@octo_endpoint("GET")
def product(octo, product_id):
    return product_dict(octo.organisation, product_get(product_id), pricing=octo.pricing)


# --- availability ---------------------------------------------------------------------------


def _product_and_option(body):
    found = product_get(body.get("productId"), for_availability=True)
    return found, option_get(found, body.get("optionId"))


@octo_endpoint("POST")
def calendar(octo):
    found, unit_type = _product_and_option(octo.body)
    return availability_calendar(
        octo.organisation, found, unit_type, octo.body, pricing=octo.pricing
    )


@octo_endpoint("POST")
def availability(octo):
    found, unit_type = _product_and_option(octo.body)
    return availability_check(octo.organisation, found, unit_type, octo.body, pricing=octo.pricing)


# --- bookings -----------------------------------------------------------------------------


def _booking_out(octo, octo_booking):
    fresh = (
        OctoBooking.objects.select_related("booking", "product")
        .prefetch_related("booking__lines", "booking__events")
        .get(pk=octo_booking.pk)
    )
    data = booking_dict(octo.organisation, fresh, pricing=octo.pricing)
    if data.get("voucher"):
        for option in data["voucher"]["deliveryOptions"]:
            option["deliveryValue"] = octo.request.build_absolute_uri(option["deliveryValue"])
    return data


def _reserve(octo):
    return _booking_out(
        octo,
        services.octo_booking_reserve(
            organisation=octo.organisation,
            data=octo.body,
            language=translation.get_language() or "en",
        ),
    )


def _list(octo):
    query = octo.request.GET
    found = (
        OctoBooking.objects.filter(organisation=octo.organisation, booking__isnull=False)
        .select_related("booking", "product")
        .prefetch_related("booking__lines", "booking__events")
        .order_by("-created_at")
    )
    if query.get("resellerReference"):
        found = found.filter(booking__buyer_reference=query["resellerReference"])
    if query.get("supplierReference"):
        found = found.filter(booking__reference=query["supplierReference"])
    if query.get("productId"):
        found = found.filter(product__slug=query["productId"])
    if query.get("optionId"):
        found = found.filter(option_id=query["optionId"])
    if query.get("localDate"):
        found = found.filter(booking__first_service_date=parse_day(query["localDate"], "localDate"))
    if query.get("localDateStart"):
        day = parse_day(query["localDateStart"], "localDateStart")
        found = found.filter(booking__first_service_date__gte=day)
    if query.get("localDateEnd"):
        day = parse_day(query["localDateEnd"], "localDateEnd")
        found = found.filter(booking__first_service_date__lte=day)
    return [booking_dict(octo.organisation, ob, pricing=octo.pricing) for ob in found[:200]]


bookings = _dispatch({"GET": _list, "POST": _reserve})


def _get(octo, uuid):
    return _booking_out(octo, services.octo_booking_get(organisation=octo.organisation, uuid=uuid))


def _update(octo, uuid):
    return _booking_out(
        octo,
        services.octo_booking_update(organisation=octo.organisation, uuid=uuid, data=octo.body),
    )


booking = _dispatch({"GET": _get, "PATCH": _update})


@octo_endpoint("POST")
def confirm(octo, uuid):
    return _booking_out(
        octo,
        services.octo_booking_confirm(organisation=octo.organisation, uuid=uuid, data=octo.body),
    )


@octo_endpoint("POST")
def cancel(octo, uuid):
    return _booking_out(
        octo,
        services.octo_booking_cancel(organisation=octo.organisation, uuid=uuid, data=octo.body),
    )


@octo_endpoint("POST")
def extend(octo, uuid):
    return _booking_out(
        octo,
        services.octo_booking_extend(organisation=octo.organisation, uuid=uuid, data=octo.body),
    )


@octo_endpoint("GET", "POST", "PATCH", "PUT", "DELETE")
def not_found(octo, path=""):
    raise BadRequest(_("There is no OCTO endpoint at this address."))
