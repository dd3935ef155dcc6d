"""Photos: decompression bombs are refused from their header (a clean form error, never a 500,
never decoded), metadata is stripped, and what is stored is re-encoded (a polyglot file does
not survive byte for byte)."""

import json
import struct
import subprocess
import sys
import zlib
from io import BytesIO
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image, PngImagePlugin

from operators import services
from operators.media import MAX_PHOTO_PIXELS, photo_prepare
from packages import services as package_services
from packages.models import PackagePhoto
from tests.operators.factories import ProductFactory
from tests.packages.factories import PackageFactory

pytestmark = pytest.mark.django_db


def _chunk(kind: bytes, data: bytes) -> bytes:
    return (
        struct.pack(">I", len(data))
        + kind
        + data
        + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    )


def png_bomb(width: int, height: int, *, with_data: bool = True) -> bytes:
    """A valid 1-bit greyscale PNG of width x height, all black, generated row by row without
    ever holding the pixels: 20,000 x 20,000 is ~50 KB of file."""
    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    idat = b""
    if with_data:
        compressor = zlib.compressobj(9)
        row = b"\x00" * (1 + (width + 7) // 8)
        parts = [compressor.compress(row) for _ in range(height)]
        idat = b"".join(parts) + compressor.flush()
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", ihdr)
        + (_chunk(b"IDAT", idat) if with_data else b"")
        + _chunk(b"IEND", b"")
    )


def upload(data: bytes, name="photo.png", content_type="image/png"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def png(size=(800, 600), **save):
    buffer = BytesIO()
    Image.new("RGB", size, (168, 68, 42)).save(buffer, format="PNG", **save)
    return buffer.getvalue()


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.mark.parametrize(
    "data",
    [
        png_bomb(20_000, 20_000),
        png_bomb(10_000, 10_000),
        png_bomb(60_000, 60_000, with_data=False),
        png_bomb(MAX_PHOTO_PIXELS + 1, 1, with_data=False),
    ],
    ids=["20000x20000", "10000x10000", "header-only-60000", "one-row-too-long"],
)
def test_a_decompression_bomb_is_refused_with_a_clear_error(data):
    assert len(data) < 200_000
    product = ProductFactory(status="draft")
    with pytest.raises(ValidationError) as caught:
        services.photo_add(product=product, image=upload(data))
    assert caught.value.error_dict["image"][0].code == "too_many_pixels"
    assert "megapixels" in caught.value.message_dict["image"][0]
    assert not product.photos.exists()


def test_the_operator_form_shows_the_refusal(owner_client, operator_org):
    draft = ProductFactory(organisation=operator_org, status="draft")
    url = reverse("operators:product_photos", args=[draft.pk])
    response = owner_client.post(url, {"image": upload(png_bomb(20_000, 20_000))})
    assert response.status_code == 400
    assert "megapixels" in str(response.context["photo_form"].errors["image"])
    assert not draft.photos.exists()


def test_the_package_builder_shows_the_refusal(client):
    from accounts.services import DmcGroup
    from tests.packages.factories import dmc_user

    client.force_login(dmc_user(DmcGroup.PRODUCT_MANAGER))
    package = PackageFactory()
    url = reverse("packages:photo_add", args=[package.pk])
    response = client.post(url, {"image": upload(png_bomb(20_000, 20_000)), "alt_text": ""})
    assert response.status_code == 400
    assert "megapixels" in str(response.context["photo_form"].errors["image"])
    assert not PackagePhoto.objects.exists()


def test_a_polyglot_png_with_html_and_zip_is_stored_re_encoded():
    html = b"<html><script>alert(document.cookie)</script></html>"
    zip_tail = b"PK\x03\x04" + b"\x00" * 26 + b"evil.txt" + b"PK\x05\x06" + b"\x00" * 18
    data = png((300, 200)) + html + zip_tail
    product = ProductFactory(status="draft")
    photo = services.photo_add(product=product, image=upload(data))
    stored = Path(photo.image.path).read_bytes()
    assert stored != data
    assert b"<script>" not in stored and b"PK\x03\x04" not in stored
    with Image.open(photo.image.path) as img:
        assert img.format == "PNG" and img.size == (300, 200)


def test_metadata_is_stripped_from_a_jpeg_and_a_png():
    exif = Image.Exif()
    exif[0x010E] = "secret description"  # ImageDescription
    exif[0x8825] = {2: (43.0, 50.0, 30.0)}  # GPSInfo: a latitude
    buffer = BytesIO()
    Image.new("RGB", (640, 480), (10, 120, 60)).save(buffer, format="JPEG", exif=exif)
    jpeg = buffer.getvalue()
    assert b"secret description" in jpeg
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "secret comment")
    with_text = png((320, 240), pnginfo=info)
    assert b"secret comment" in with_text

    clean_jpeg = photo_prepare(upload(jpeg, "p.jpg", "image/jpeg"))
    clean_png = photo_prepare(upload(with_text))
    assert b"secret description" not in clean_jpeg.image.read()
    assert b"secret comment" not in clean_png.image.read()
    clean_jpeg.image.seek(0)
    with Image.open(clean_jpeg.image) as img:
        assert not img.getexif()
        assert img.size == (640, 480)


def test_a_large_photo_is_stored_at_most_2560_pixels_long():
    buffer = BytesIO()
    Image.new("RGB", (6000, 4000), (200, 180, 150)).save(buffer, format="JPEG", quality=60)
    clean = photo_prepare(upload(buffer.getvalue(), "big.jpg", "image/jpeg"))
    assert max(clean.width, clean.height) <= 2560
    assert (clean.format, clean.extension) == ("JPEG", "jpg")


def test_a_package_photo_is_re_encoded_too():
    data = png((300, 200)) + b"<html>tail</html>"
    photo = package_services.package_photo_add(package=PackageFactory(), image=upload(data))
    assert b"<html>" not in Path(photo.image.path).read_bytes()


_MEASURE = """
import json, resource, sys
import django, os
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "marketplace.settings.test")
django.setup()
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from operators.media import photo_prepare
data = open(sys.argv[1], "rb").read()
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
try:
    photo_prepare(SimpleUploadedFile("bomb.png", data, "image/png"))
    outcome = "accepted"
except ValidationError as exc:
    outcome = exc.error_dict["image"][0].code
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"outcome": outcome, "grew_kb": after - before}))
"""


def test_refusing_a_bomb_takes_almost_no_memory(tmp_path):
    """In a fresh process: the peak resident size hardly moves while a 20,000 x 20,000 PNG
    (400 megapixels, 400 MB if decoded at 8 bits) is refused."""
    bomb = tmp_path / "bomb.png"
    bomb.write_bytes(png_bomb(20_000, 20_000))
    result = subprocess.run(
        [sys.executable, "-c", _MEASURE, str(bomb)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=Path(__file__).resolve().parents[2],
        check=True,
    )
    measured = json.loads(result.stdout.strip().splitlines()[-1])
    assert measured["outcome"] == "too_many_pixels"
    assert measured["grew_kb"] < 20 * 1024, measured
