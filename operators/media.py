"""Photo checks and thumbnails: the file is opened with Pillow, its extension is not trusted."""

from io import BytesIO

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

MAX_PHOTO_BYTES = 5 * 1024 * 1024
ALLOWED_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
THUMBNAIL_WIDTH = 400


def photo_validate(upload) -> str:
    """Refuse what is not a JPEG, PNG or WebP image of at most 5 MB; return the format."""
    size = getattr(upload, "size", None)
    if size is None:
        upload.seek(0, 2)
        size = upload.tell()
    if size > MAX_PHOTO_BYTES:
        raise ValidationError(
            {
                "image": _("The photo is %(mb).1f MB: at most 5 MB, please.")
                % {"mb": size / 1024 / 1024}
            },
            code="too_big",
        )
    try:
        upload.seek(0)
        with Image.open(upload) as img:
            img.verify()
            fmt = img.format
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise ValidationError(
            {"image": _("This file is not an image we can read (JPEG, PNG or WebP).")},
            code="not_an_image",
        ) from exc
    finally:
        upload.seek(0)
    if fmt not in ALLOWED_FORMATS:
        raise ValidationError(
            {"image": _("Photos must be JPEG, PNG or WebP (this one is %(fmt)s).") % {"fmt": fmt}},
            code="bad_format",
        )
    return fmt


def thumbnail_for(upload, *, width: int = THUMBNAIL_WIDTH) -> ContentFile:
    """A JPEG thumbnail `width` pixels wide (never enlarged)."""
    upload.seek(0)
    with Image.open(upload) as img:
        img = img.convert("RGB")
        if img.width > width:
            img = img.resize((width, max(1, round(img.height * width / img.width))))
        out = BytesIO()
        img.save(out, format="JPEG", quality=82, optimize=True)
    upload.seek(0)
    return ContentFile(out.getvalue())
