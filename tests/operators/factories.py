"""Factories for operators' products, rates and inventory, shared by every app's tests."""

from datetime import date, time, timedelta
from decimal import Decimal

import factory
from django.utils import timezone
from django.utils.text import slugify

from operators.models import (
    GoodsStock,
    NightInventory,
    Product,
    ProductPhoto,
    Rate,
    ScheduleRule,
    Season,
    Slot,
    UnitType,
)
from tests.factories import OrganisationFactory, comune


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product

    organisation = factory.SubFactory(OrganisationFactory)
    kind = "experience"
    status = "published"
    title_it = factory.Sequence(lambda n: f"Visita guidata {n}")
    title_en = factory.Sequence(lambda n: f"Guided tour {n}")
    title = factory.LazyAttribute(lambda o: o.title_it)
    slug = factory.LazyAttribute(lambda o: slugify(o.title_en))
    comune = factory.LazyFunction(comune)
    duration_minutes = 120
    min_pax = 1
    max_pax = 30
    vat_rate = Decimal("22.00")


class AccommodationFactory(ProductFactory):
    kind = "accommodation"
    title_it = factory.Sequence(lambda n: f"Albergo {n}")
    title_en = factory.Sequence(lambda n: f"Hotel {n}")
    accommodation_category = "hotel_3"
    vat_rate = Decimal("10.00")


class GoodsFactory(ProductFactory):
    kind = "goods"
    title_it = factory.Sequence(lambda n: f"Olio {n}")
    title_en = factory.Sequence(lambda n: f"Olive oil {n}")
    fulfilment = "pickup"
    vat_rate = Decimal("4.00")


class RateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Rate

    product = factory.SubFactory(ProductFactory)
    pax_category = "adult"
    retail_price = Decimal("30.00")
    net_price = Decimal("24.00")


class SeasonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Season

    product = factory.SubFactory(ProductFactory)
    name = "Alta stagione"
    start_date = date(2027, 4, 1)
    end_date = date(2027, 10, 31)


class UnitTypeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = UnitType

    product = factory.SubFactory(AccommodationFactory)
    name = "Camera doppia"
    name_it = "Camera doppia"
    name_en = "Double room"
    standard_occupancy = 2
    max_occupancy = 3
    max_children = 1
    units = 5
    min_stay = 1


class ScheduleRuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ScheduleRule

    product = factory.SubFactory(ProductFactory)
    weekdays = "1234567"
    start_time = time(10, 0)
    duration_minutes = 120
    capacity = 12
    valid_from = factory.LazyFunction(timezone.localdate)


class SlotFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Slot

    product = factory.SubFactory(ProductFactory)
    date = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=10))
    start_time = time(10, 0)
    starts_at = factory.LazyAttribute(
        lambda o: timezone.make_aware(timezone.datetime.combine(o.date, o.start_time))
    )
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + timedelta(hours=2))
    capacity = 10


class NightFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = NightInventory

    unit_type = factory.SubFactory(UnitTypeFactory)
    date = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=10))
    units = 5


class StockFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = GoodsStock

    product = factory.SubFactory(GoodsFactory)
    quantity = 50


def bookable_experience(
    *, organisation=None, capacity=10, days_ahead=10, adult="30.00", net="24.00", **product_fields
):
    """A published experience with an adult rate and one slot `days_ahead` from today."""
    kwargs = {"organisation": organisation} if organisation else {}
    product = ProductFactory(**kwargs, **product_fields)
    RateFactory(product=product, retail_price=Decimal(adult), net_price=Decimal(net))
    slot = SlotFactory(
        product=product, capacity=capacity, date=timezone.localdate() + timedelta(days=days_ahead)
    )
    return product, slot


def bookable_stay(
    *,
    organisation=None,
    units=5,
    nights=7,
    days_ahead=10,
    price="120.00",
    net="100.00",
    **unit_fields,
):
    """A published hotel with one unit type, a per-room rate and `nights` nights of inventory."""
    kwargs = {"organisation": organisation} if organisation else {}
    hotel = AccommodationFactory(**kwargs)
    unit_type = UnitTypeFactory(product=hotel, units=units, **unit_fields)
    RateFactory(
        product=hotel,
        unit_type=unit_type,
        pax_category="unit",
        retail_price=Decimal(price),
        net_price=Decimal(net),
    )
    start = timezone.localdate() + timedelta(days=days_ahead)
    for i in range(nights + 1):
        NightFactory(unit_type=unit_type, date=start + timedelta(days=i), units=units)
    return hotel, unit_type, start


class ProductPhotoFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProductPhoto

    product = factory.SubFactory(ProductFactory)
    image = factory.django.ImageField(filename="photo.jpg", format="JPEG", width=60, height=40)
    alt_text = "A photo"


SCOPED_MODEL_FACTORIES = {
    Product: lambda organisation: ProductFactory(organisation=organisation),
    Rate: lambda organisation: RateFactory(product__organisation=organisation),
    Season: lambda organisation: SeasonFactory(product__organisation=organisation),
    UnitType: lambda organisation: UnitTypeFactory(product__organisation=organisation),
    ScheduleRule: lambda organisation: ScheduleRuleFactory(product__organisation=organisation),
    Slot: lambda organisation: SlotFactory(product__organisation=organisation),
    NightInventory: lambda organisation: NightFactory(
        unit_type__product__organisation=organisation
    ),
    GoodsStock: lambda organisation: StockFactory(product__organisation=organisation),
    ProductPhoto: lambda organisation: ProductPhotoFactory(product__organisation=organisation),
}
SCOPED_MODEL_FACTORIES = {k: v for k, v in SCOPED_MODEL_FACTORIES.items() if v}
