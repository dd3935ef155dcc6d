"""Photo checks, re-encoding and thumbnails: the file is opened with Pillow, its extension is not
trusted, its pixel count is read from the header and refused before anything is decoded (a
48 KB PNG can declare 20,000 x 20,000 pixels), and what is stored is a new image encoded here:
no metadata (EXIF location, comments, ICC), no bytes of the upload carried over (a PNG that is
also an HTML page or a ZIP archive does not survive)."""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from io import BytesIO

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_PHOTO_BYTES = 5 * 1024 * 1024
# 25 megapixels: a 6000 x 4000 camera photo. Decoded, that is at most ~100 MB (RGBA) for the
# few moments of the re-encoding; larger pictures are refused from their header.
MAX_PHOTO_PIXELS = 25_000_000
# What is stored: at most this long side (a full-width hero image on a large screen).
STORED_LONG_SIDE = 2560
ALLOWED_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
THUMBNAIL_WIDTH = 400

_UNREADABLE = (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError)


@dataclass(frozen=True)
class CleanPhoto:
    """A photo re-encoded from its pixels only, ready to be stored, and its thumbnail."""

    format: str
    extension: str
    width: int
    height: int
    image: ContentFile
    thumbnail: ContentFile


def _image_error(message: str, code: str) -> ValidationError:
    """An error on the form's `image` field that keeps its code."""
    return ValidationError({"image": ValidationError(message, code=code)})


def _not_an_image(exc: Exception | None = None) -> ValidationError:
    return _image_error(
        _("This file is not an image we can read (JPEG, PNG or WebP)."), "not_an_image"
    )


def _too_many_pixels(width: int | None = None, height: int | None = None) -> ValidationError:
    if width and height:
        message = _(
            "The photo is %(w)s × %(h)s pixels: at most %(mp)s megapixels, please resize it."
        ) % {"w": width, "h": height, "mp": MAX_PHOTO_PIXELS // 1_000_000}
    else:
        message = _("The photo has too many pixels: at most %(mp)s megapixels, please.") % {
            "mp": MAX_PHOTO_PIXELS // 1_000_000
        }
    return _image_error(message, "too_many_pixels")


def _size_of(upload) -> int:
    size = getattr(upload, "size", None)
    if size is None:
        upload.seek(0, 2)
        size = upload.tell()
    return size


def _open_checked(upload) -> Image.Image:
    """Open (header only) and check format and pixel count; nothing is decoded yet. Pillow's
    own decompression-bomb guard is turned into the same clean refusal. Pillow reads a copy
    of the bytes (at most MAX_PHOTO_BYTES, checked before), so closing it leaves the upload
    open."""
    upload.seek(0)
    data = BytesIO(upload.read(MAX_PHOTO_BYTES + 1))
    upload.seek(0)
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            img = Image.open(data)
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise _too_many_pixels() from exc
        except _UNREADABLE as exc:
            raise _not_an_image(exc) from exc
    if img.format not in ALLOWED_FORMATS:
        fmt = img.format
        img.close()
        raise _image_error(
            _("Photos must be JPEG, PNG or WebP (this one is %(fmt)s).") % {"fmt": fmt},
            "bad_format",
        )
    width, height = img.size
    if width < 1 or height < 1 or width * height > MAX_PHOTO_PIXELS:
        img.close()
        raise _too_many_pixels(width, height)
    return img


def photo_validate(upload) -> str:
    """Refuse what is not a JPEG, PNG or WebP image of at most 5 MB and MAX_PHOTO_PIXELS;
    return the format. Reads the header and verifies the file's structure, decodes nothing."""
    size = _size_of(upload)
    if size > MAX_PHOTO_BYTES:
        raise _image_error(
            _("The photo is %(mb).1f MB: at most 5 MB, please.") % {"mb": size / 1024 / 1024},
            "too_big",
        )
    try:
        with _open_checked(upload) as img:
            fmt = img.format
            try:
                img.verify()
            except _UNREADABLE as exc:
                raise _not_an_image(exc) from exc
    finally:
        upload.seek(0)
    return fmt


def _decoded(upload, fmt: str) -> Image.Image:
    """The pixels, upright, in a mode the format stores, with no metadata. A large JPEG is
    decoded at a reduced scale straight away (libjpeg's draft mode), so it never sits in
    memory at full size."""
    source = _open_checked(upload)
    try:
        if fmt == "JPEG":
            # libjpeg scales by 1/2, 1/4 or 1/8 while it decodes, keeping both sides at least
            # the requested ones: ask for the stored size in the image's own proportions.
            scale = STORED_LONG_SIDE / max(source.size)
            if scale < 1:
                source.draft("RGB", tuple(max(1, int(side * scale)) for side in source.size))
        source.load()
        ImageOps.exif_transpose(source, in_place=True)
        has_alpha = source.mode in ("RGBA", "LA", "PA") or (
            source.mode == "P" and "transparency" in source.info
        )
        target = "RGBA" if has_alpha and fmt != "JPEG" else "RGB"
        clean = source.convert(target) if source.mode != target else source
    except _UNREADABLE as exc:
        raise _not_an_image(exc) from exc
    clean.info = {}
    clean.thumbnail((STORED_LONG_SIDE, STORED_LONG_SIDE), Image.Resampling.LANCZOS)
    return clean


def _encode(img: Image.Image, fmt: str) -> bytes:
    out = BytesIO()
    if fmt == "JPEG":
        img.save(out, format="JPEG", quality=88, optimize=True, progressive=True)
    elif fmt == "PNG":
        img.save(out, format="PNG", optimize=True)
    else:
        img.save(out, format="WEBP", quality=85, method=4)
    return out.getvalue()


def _thumbnail(img: Image.Image, width: int) -> ContentFile:
    thumb = img.convert("RGB")
    if thumb.width > width:
        thumb = thumb.resize((width, max(1, round(thumb.height * width / thumb.width))))
    out = BytesIO()
    thumb.save(out, format="JPEG", quality=82, optimize=True)
    return ContentFile(out.getvalue())


def photo_prepare(upload, *, thumbnail_width: int = THUMBNAIL_WIDTH) -> CleanPhoto:
    """Check the upload (photo_validate), then decode it once and re-encode it in its own
    format without metadata, at most STORED_LONG_SIDE pixels long, with a JPEG thumbnail."""
    fmt = photo_validate(upload)
    try:
        img = _decoded(upload, fmt)
    finally:
        upload.seek(0)
    return CleanPhoto(
        format=fmt,
        extension=ALLOWED_FORMATS[fmt],
        width=img.width,
        height=img.height,
        image=ContentFile(_encode(img, fmt)),
        thumbnail=_thumbnail(img, thumbnail_width),
    )


def thumbnail_for(upload, *, width: int = THUMBNAIL_WIDTH) -> ContentFile:
    """A JPEG thumbnail `width` pixels wide (never enlarged), from a checked upload."""
    fmt = photo_validate(upload)
    try:
        return _thumbnail(_decoded(upload, fmt), width)
    finally:
        upload.seek(0)
