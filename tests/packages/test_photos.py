"""Package photos: uploaded and removed in the builder, shown on the public pre-contract page."""

from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from accounts.services import DmcGroup
from packages import services
from packages.models import PackagePhoto
from tests.operators.test_services import image_file

from .factories import PackageFactory, dmc_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def pm_client(client):
    client.force_login(dmc_user(DmcGroup.PRODUCT_MANAGER))
    return client


def test_a_photo_is_checked_with_pillow_and_gets_a_400px_thumbnail():
    package = PackageFactory()
    first = services.package_photo_add(package=package, image=image_file(), alt_text="Walls")
    second = services.package_photo_add(
        package=package, image=image_file("WEBP", name="x.webp"), alt_text="Villa"
    )
    assert first.image.name.endswith(".png") and second.image.name.endswith(".webp")
    assert second.position > first.position
    with Image.open(first.thumbnail.path) as thumb:
        assert (thumb.format, thumb.width) == ("JPEG", 400)


@pytest.mark.parametrize(
    "upload, message",
    [
        (SimpleUploadedFile("fake.jpg", b"not an image at all", "image/jpeg"), "not an image"),
        (image_file("GIF", name="anim.gif"), "JPEG, PNG or WebP"),
        (
            SimpleUploadedFile("big.png", b"\x89PNG" + b"0" * (5 * 1024 * 1024 + 1), "image/png"),
            "at most 5 MB",
        ),
    ],
)
def test_a_photo_that_is_not_an_allowed_image_is_refused(upload, message):
    package = PackageFactory()
    with pytest.raises(ValidationError) as exc:
        services.package_photo_add(package=package, image=upload)
    assert message in exc.value.message_dict["image"][0]
    assert not package.photos.exists()


def test_the_builder_uploads_a_photo_and_shows_it(pm_client):
    package = PackageFactory()
    url = reverse("packages:photo_add", args=[package.pk])
    response = pm_client.post(url, {"image": image_file(), "alt_text": "Le mura di Lucca"})
    assert response.status_code == 302
    photo = package.photos.get()
    assert photo.alt_text == "Le mura di Lucca" and photo.thumbnail
    page = pm_client.get(reverse("packages:builder", args=[package.pk])).content.decode()
    assert photo.thumbnail.url in page
    assert reverse("packages:photo_delete", args=[package.pk, photo.pk]) in page


def test_the_builder_refuses_a_bad_file_with_a_field_error(pm_client):
    package = PackageFactory()
    url = reverse("packages:photo_add", args=[package.pk])
    bad = SimpleUploadedFile("notes.png", b"hello", "image/png")
    response = pm_client.post(url, {"image": bad, "alt_text": ""})
    assert response.status_code == 400
    assert "not an image" in str(response.context["photo_form"].errors["image"])
    assert not PackagePhoto.objects.exists()


def test_the_builder_removes_a_photo_and_its_files(
    pm_client, media, django_capture_on_commit_callbacks
):
    package = PackageFactory()
    photo = services.package_photo_add(package=package, image=image_file())
    files = [Path(photo.image.path), Path(photo.thumbnail.path)]
    assert all(f.exists() for f in files)
    with django_capture_on_commit_callbacks(execute=True):
        response = pm_client.post(reverse("packages:photo_delete", args=[package.pk, photo.pk]))
    assert response.status_code == 302
    assert not PackagePhoto.objects.exists()
    assert not any(f.exists() for f in files)


def test_another_packages_photo_cannot_be_removed_through_this_package(pm_client):
    package, other = PackageFactory(), PackageFactory()
    photo = services.package_photo_add(package=other, image=image_file())
    url = reverse("packages:photo_delete", args=[package.pk, photo.pk])
    assert pm_client.post(url).status_code == 404
    assert PackagePhoto.objects.filter(pk=photo.pk).exists()


def test_only_dmc_product_managers_manage_package_photos(client, owner):
    package = PackageFactory()
    photo = services.package_photo_add(package=package, image=image_file())
    client.force_login(owner)  # an operator
    add = reverse("packages:photo_add", args=[package.pk])
    assert client.post(add, {"image": image_file()}).status_code == 404
    delete = reverse("packages:photo_delete", args=[package.pk, photo.pk])
    assert client.post(delete).status_code == 404
    client.force_login(dmc_user(DmcGroup.FINANCE))
    assert client.post(delete).status_code == 404
    assert package.photos.count() == 1


def test_the_public_pre_contract_page_shows_the_photos(client):
    package = PackageFactory(status="published")
    photo = services.package_photo_add(package=package, image=image_file(), alt_text="Le mura")
    response = client.get(reverse("packages:precontract", args=[package.slug]))
    assert response.status_code == 200
    page = response.content.decode()
    assert photo.thumbnail.url in page and 'alt="Le mura"' in page
