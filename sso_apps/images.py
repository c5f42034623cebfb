"""Check and re-encode the images admins upload as an application's User Portal Image."""

import io
import uuid
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from sso_apps.conf import app_settings

# NOTE: Pillow is imported where an upload is checked, not here: this module loads with
# the admin's forms in every web worker, and Pillow (about 2 MB resident) serves only the
# rare logo upload.
if TYPE_CHECKING:
    from PIL import Image

# Pillow format name -> (file extension, save options). Only raster formats that every
# browser shows and that cannot carry scripts.
ALLOWED_FORMATS = {
    "PNG": ("png", {"optimize": True}),
    "JPEG": ("jpg", {"quality": 90}),
    "WEBP": ("webp", {"quality": 90}),
}
# Icons are shown at most a few hundred pixels wide; anything larger only costs bandwidth.
MAX_SIDE = 512
# Refuse huge canvases before decoding them: a tiny compressed file can expand to gigabytes.
MAX_PIXELS = 25_000_000
_SVG_MARKERS = (b"<svg", b"<?xml", b"<!doctype svg")


def portal_image_clean(upload) -> ContentFile:
    """Return the upload re-encoded without metadata, or raise ValidationError saying why."""
    limit = app_settings.portal_image_max_bytes
    if upload.size > limit:
        raise ValidationError(
            _("The image is %(size)s; the limit is %(limit)s.")
            % {"size": filesizeformat(upload.size), "limit": filesizeformat(limit)},
            code="too_large",
        )
    data = _read(upload, limit)
    if _looks_like_svg(upload, data):
        raise ValidationError(
            _(
                "SVG images are refused because they can contain scripts that would run "
                "in your users' browsers. Upload a PNG, JPEG or WebP image instead."
            ),
            code="svg",
        )
    from PIL import ImageOps

    image = _decode(data)
    extension, options = ALLOWED_FORMATS[image.format]
    image = ImageOps.exif_transpose(image)
    image.thumbnail((MAX_SIDE, MAX_SIDE))
    output = io.BytesIO()
    # Saving a fresh copy drops EXIF, XMP, ICC and text chunks: nothing from the
    # upload but its pixels reaches the User Console.
    _without_metadata(image, extension).save(
        output, format="JPEG" if extension == "jpg" else extension.upper(), **options
    )
    return ContentFile(output.getvalue(), name=f"{uuid.uuid4().hex}.{extension}")


def _read(upload, limit: int) -> bytes:
    upload.seek(0)
    # Read one byte past the limit so a lying `size` cannot smuggle a bigger file in.
    data = upload.read(limit + 1)
    upload.seek(0)
    if len(data) > limit:
        raise ValidationError(
            _("The image is larger than %(limit)s.") % {"limit": filesizeformat(limit)},
            code="too_large",
        )
    return data


def _looks_like_svg(upload, data: bytes) -> bool:
    name = (getattr(upload, "name", "") or "").lower()
    content_type = (getattr(upload, "content_type", "") or "").lower()
    head = data[:1024].lstrip().lower()
    return (
        name.endswith((".svg", ".svgz"))
        or "svg" in content_type
        or head.startswith(_SVG_MARKERS)
        or b"<svg" in head
    )


def _decode(data: bytes) -> "Image.Image":
    from PIL import Image, UnidentifiedImageError

    not_an_image = ValidationError(
        _("The file is not a readable PNG, JPEG or WebP image."), code="invalid_image"
    )
    try:
        with Image.open(io.BytesIO(data)) as probe:
            if probe.format not in ALLOWED_FORMATS:
                raise ValidationError(
                    _("%(format)s images are not accepted; upload a PNG, JPEG or WebP image.")
                    % {"format": probe.format or _("This kind of")},
                    code="format",
                )
            if probe.width * probe.height > MAX_PIXELS:
                raise ValidationError(
                    _("The image is %(width)d×%(height)d pixels, which is too large.")
                    % {"width": probe.width, "height": probe.height},
                    code="too_many_pixels",
                )
            probe.verify()
        # verify() leaves the image unusable; decode a fresh one fully to catch truncation.
        image = Image.open(io.BytesIO(data))
        image.load()
    except ValidationError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise not_an_image from None
    return image


def _without_metadata(image: "Image.Image", extension: str) -> "Image.Image":
    from PIL import Image

    if extension == "jpg":
        mode = "RGB"
    else:
        mode = "RGBA" if image.mode in ("RGBA", "LA", "P", "PA") else "RGB"
    clean = Image.new(mode, image.size)
    clean.paste(image.convert(mode))
    return clean
