import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from sso_apps.images import MAX_SIDE, portal_image_clean
from sso_apps.tests.admin.images import (
    SECRET_COMMENT,
    fake_png_upload,
    gif_upload,
    jpeg_upload,
    noisy_png_upload,
    png_upload,
    svg_upload,
)


def _decode(content) -> Image.Image:
    image = Image.open(io.BytesIO(content.read()))
    image.load()
    return image


def test_png_is_re_encoded_without_its_text_chunks():
    cleaned = portal_image_clean(png_upload())

    assert cleaned.name.endswith(".png")
    data = cleaned.read()
    assert SECRET_COMMENT.encode() not in data
    cleaned.seek(0)
    image = _decode(cleaned)
    assert image.format == "PNG"
    assert image.size == (64, 64)
    assert "Comment" not in image.info


def test_jpeg_exif_is_dropped():
    output = io.BytesIO()
    exif = Image.Exif()
    exif[0x010F] = "SecretCam Inc."  # Make
    Image.new("RGB", (20, 20), "red").save(output, format="JPEG", exif=exif)
    upload = SimpleUploadedFile("photo.jpg", output.getvalue(), content_type="image/jpeg")

    cleaned = portal_image_clean(upload)

    assert b"SecretCam" not in cleaned.read()
    assert cleaned.name.endswith(".jpg")


def test_webp_is_accepted():
    output = io.BytesIO()
    Image.new("RGBA", (16, 16), (0, 128, 0, 128)).save(output, format="WEBP")
    upload = SimpleUploadedFile("logo.webp", output.getvalue(), content_type="image/webp")

    cleaned = portal_image_clean(upload)

    assert cleaned.name.endswith(".webp")
    assert _decode(cleaned).format == "WEBP"


def test_large_images_are_scaled_down_to_icon_size():
    cleaned = portal_image_clean(png_upload(size=(2000, 1000), with_metadata=False))
    assert _decode(cleaned).size == (MAX_SIDE, MAX_SIDE // 2)


def test_each_upload_gets_a_fresh_random_name():
    assert portal_image_clean(jpeg_upload()).name != portal_image_clean(jpeg_upload()).name


@pytest.mark.parametrize(
    ("upload", "code", "message"),
    [
        (svg_upload(), "svg", "can contain scripts"),
        (svg_upload(name="logo.png"), "svg", "can contain scripts"),
        (fake_png_upload(), "invalid_image", "not a readable PNG, JPEG or WebP image"),
        (gif_upload(), "format", "GIF images are not accepted"),
        (noisy_png_upload(1024 * 1024 + 1), "too_large", "the limit is 1.0"),
    ],
    ids=["svg", "svg-named-png", "html-named-png", "gif", "over-1-MB"],
)
def test_refused_uploads_say_why(upload, code, message):
    with pytest.raises(ValidationError) as error:
        portal_image_clean(upload)
    assert error.value.code == code
    assert message in error.value.messages[0]


def test_truncated_png_is_refused():
    data = png_upload(with_metadata=False).read()
    upload = SimpleUploadedFile("cut.png", data[: len(data) // 2], content_type="image/png")
    with pytest.raises(ValidationError) as error:
        portal_image_clean(upload)
    assert error.value.code == "invalid_image"


def test_size_limit_comes_from_the_setting(settings):
    settings.SSO_APPS_PORTAL_IMAGE_MAX_BYTES = 100
    with pytest.raises(ValidationError) as error:
        portal_image_clean(png_upload())
    assert error.value.code == "too_large"


def test_exactly_the_limit_is_accepted(settings):
    upload = png_upload(with_metadata=False)
    settings.SSO_APPS_PORTAL_IMAGE_MAX_BYTES = upload.size
    assert portal_image_clean(upload).name.endswith(".png")


def test_huge_canvas_is_refused_before_it_is_decoded():
    output = io.BytesIO()
    Image.new("1", (6000, 6000)).save(output, format="PNG")
    upload = SimpleUploadedFile("bomb.png", output.getvalue(), content_type="image/png")
    assert upload.size < 1024 * 1024

    with pytest.raises(ValidationError) as error:
        portal_image_clean(upload)

    assert error.value.code == "too_many_pixels"
