"""Listing, rate and inventory edits: bad input is refused naming the field, nothing written."""

from datetime import date, time, timedelta
from decimal import Decimal
from io import BytesIO

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from operators import services
from operators.models import ProductStatus, Rate, Season, Slot
from tests.operators.factories import (
    NightFactory,
    ProductFactory,
    ScheduleRuleFactory,
    SeasonFactory,
    SlotFactory,
    StockFactory,
    UnitTypeFactory,
)

pytestmark = pytest.mark.django_db


def image_file(fmt="PNG", size=(1200, 800), name="photo.png"):
    buffer = BytesIO()
    Image.new("RGB", size, (168, 68, 42)).save(buffer, format=fmt)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=f"image/{fmt.lower()}")


def test_overlapping_seasons_are_refused_naming_the_other_season():
    season = SeasonFactory(start_date=date(2027, 4, 1), end_date=date(2027, 10, 31))
    with pytest.raises(ValidationError) as exc:
        services.season_save(
            product=season.product,
            data={"name": "Estate", "start_date": date(2027, 7, 1), "end_date": date(2027, 8, 31)},
        )
    assert "Alta stagione" in exc.value.message_dict["start_date"][0]
    assert Season.objects.count() == 1


def test_a_net_price_above_retail_is_refused():
    product = ProductFactory()
    with pytest.raises(ValidationError) as exc:
        services.rate_save(
            product=product,
            data={"pax_category": "adult", "retail_price": Decimal("20"), "net_price": 25},
        )
    assert "net_price" in exc.value.message_dict
    assert not Rate.objects.exists()


def test_a_rate_cannot_point_to_another_products_season():
    product = ProductFactory()
    foreign = SeasonFactory()
    with pytest.raises(ValidationError) as exc:
        services.rate_save(
            product=product,
            data={"pax_category": "adult", "retail_price": Decimal("20"), "season": foreign},
        )
    assert "season" in exc.value.message_dict


def test_a_slot_outside_the_bookable_dates_is_refused():
    today = timezone.localdate()
    product = ProductFactory(available_from=today, available_until=today + timedelta(days=30))
    with pytest.raises(ValidationError) as exc:
        services.slot_create(
            product=product, day=today + timedelta(days=40), start_time=time(10), capacity=5
        )
    assert "after the product is bookable" in exc.value.message_dict["date"][0]
    slot = services.slot_create(
        product=product, day=today + timedelta(days=3), start_time=time(10), capacity=5
    )
    assert slot.capacity == 5


@pytest.mark.parametrize("capacity", [-1, 2.5, "7", None])
def test_negative_or_non_integer_capacity_is_refused(capacity):
    product = ProductFactory()
    with pytest.raises(ValidationError) as exc:
        services.slot_create(
            product=product,
            day=timezone.localdate() + timedelta(days=2),
            start_time=time(9),
            capacity=capacity,
        )
    assert "capacity" in exc.value.message_dict
    assert not Slot.objects.exists()


def test_reducing_capacity_below_what_is_booked_says_how_many():
    slot = SlotFactory(capacity=10, sold=6, held=1)
    with pytest.raises(ValidationError) as exc:
        services.slot_update(slot=slot, capacity=5)
    assert "7 places are already booked" in exc.value.message_dict["capacity"][0]
    slot.refresh_from_db()
    assert slot.capacity == 10
    assert services.slot_update(slot=slot, capacity=7).capacity == 7


def test_bulk_slot_edit_refuses_below_booked_on_any_slot_and_changes_nothing():
    product = ProductFactory()
    day = timezone.localdate() + timedelta(days=5)
    SlotFactory(product=product, date=day, capacity=10)
    SlotFactory(product=product, date=day + timedelta(days=1), capacity=10, sold=8)
    with pytest.raises(ValidationError) as exc:
        services.slots_bulk_update(
            product=product, start=day, end=day + timedelta(days=3), capacity=4
        )
    assert "8 places" in exc.value.message_dict["capacity"][0]
    assert set(Slot.objects.values_list("capacity", flat=True)) == {10}
    result = services.slots_bulk_update(
        product=product, start=day, end=day + timedelta(days=3), status="closed"
    )
    assert result.changed == 2
    assert set(Slot.objects.values_list("status", flat=True)) == {"closed"}


def test_bulk_night_edit_over_a_range_and_units_below_booked_refused():
    unit_type = UnitTypeFactory(units=5)
    start = timezone.localdate() + timedelta(days=3)
    for i in range(5):
        NightFactory(unit_type=unit_type, date=start + timedelta(days=i), units=5)
    services.nights_bulk_update(
        unit_type=unit_type,
        start=start,
        end=start + timedelta(days=2),
        changes={"price_override": Decimal("150.00"), "min_stay": 2, "closed_to_arrival": True},
    )
    changed = unit_type.nights.filter(price_override=Decimal("150.00"))
    assert changed.count() == 3 and all(n.closed_to_arrival for n in changed)
    night = unit_type.nights.get(date=start + timedelta(days=4))
    night.sold = 4
    night.save()
    with pytest.raises(ValidationError) as exc:
        services.nights_bulk_update(
            unit_type=unit_type, start=start, end=start + timedelta(days=4), changes={"units": 3}
        )
    assert "4 units are already booked" in exc.value.message_dict["units"][0]


def test_stock_below_sold_is_refused():
    stock = StockFactory(quantity=10, sold=4)
    with pytest.raises(ValidationError) as exc:
        services.stock_set(product=stock.product, quantity=3)
    assert "4 items" in exc.value.message_dict["quantity"][0]


def test_a_schedule_generates_its_slots_for_the_year_and_rolling_forward_is_idempotent():
    product = ProductFactory()
    ScheduleRuleFactory(product=product, weekdays="1234567", capacity=8)
    made = services.inventory_roll_forward()
    assert made["slots"] >= 365
    assert services.inventory_roll_forward()["slots"] == 0
    assert Slot.objects.filter(product=product).count() == made["slots"]


def test_a_photo_is_checked_with_pillow_and_gets_a_400px_thumbnail(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    product = ProductFactory(status="draft")
    photo = services.photo_add(product=product, image=image_file(), alt_text="Walls")
    assert photo.image.name.endswith(".png")
    with Image.open(photo.thumbnail.path) as thumb:
        assert thumb.width == 400


@pytest.mark.parametrize(
    "upload, message",
    [
        (SimpleUploadedFile("fake.jpg", b"not an image at all", "image/jpeg"), "not an image"),
        (image_file("GIF", name="anim.gif"), "JPEG, PNG or WebP"),
    ],
)
def test_a_photo_that_is_not_an_allowed_image_is_refused(settings, tmp_path, upload, message):
    settings.MEDIA_ROOT = tmp_path
    product = ProductFactory(status="draft")
    with pytest.raises(ValidationError) as exc:
        services.photo_add(product=product, image=upload)
    assert message in exc.value.message_dict["image"][0]
    assert not product.photos.exists()


def test_a_photo_above_5_mb_is_refused(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    product = ProductFactory(status="draft")
    big = SimpleUploadedFile("big.png", b"\x89PNG" + b"0" * (5 * 1024 * 1024 + 1), "image/png")
    with pytest.raises(ValidationError) as exc:
        services.photo_add(product=product, image=big)
    assert "at most 5 MB" in exc.value.message_dict["image"][0]


def test_a_new_photo_keeps_a_published_product_on_sale_and_is_recorded(settings, tmp_path):
    from operators.models import CurationEvent

    settings.MEDIA_ROOT = tmp_path
    product = ProductFactory(status="published")
    services.photo_add(product=product, image=image_file())
    product.refresh_from_db()
    assert product.status == ProductStatus.PUBLISHED
    assert CurationEvent.objects.get(product=product).reason == "Photo added"


def test_a_new_photo_sends_an_approved_product_back_to_review(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    product = ProductFactory(status="approved")
    services.photo_add(product=product, image=image_file())
    product.refresh_from_db()
    assert product.status == ProductStatus.SUBMITTED


def test_the_ical_token_is_long_random_and_rotates():
    product = ProductFactory()
    token = services.product_ical_token(product=product)
    assert len(token) >= 40
    assert services.product_ical_token(product=product) == token
    assert services.product_ical_token(product=product, rotate=True) != token


def test_saving_under_an_english_page_keeps_each_language(db):
    from django.utils import translation

    from operators import services
    from tests.operators.factories import AccommodationFactory

    hotel = AccommodationFactory()
    with translation.override("en"):
        unit_type = services.unit_type_save(
            product=hotel,
            data={"name_it": "Camera doppia", "name_en": "Double room", "units": 2},
            generate=False,
        )
    unit_type.refresh_from_db()
    assert (unit_type.name_it, unit_type.name_en) == ("Camera doppia", "Double room")
