"""Image files for upload tests, made with Pillow."""

import io
import os

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from PIL.PngImagePlugin import PngInfo

SECRET_COMMENT = "camera serial 12345 at 51.5N 0.1W"


def png_upload(name="logo.png", size=(64, 64), *, with_metadata=True) -> SimpleUploadedFile:
    """Return a small PNG upload carrying a text chunk that must not survive re-encoding."""
    output = io.BytesIO()
    info = PngInfo()
    if with_metadata:
        info.add_text("Comment", SECRET_COMMENT)
    Image.new("RGBA", size, (47, 91, 234, 255)).save(output, format="PNG", pnginfo=info)
    return SimpleUploadedFile(name, output.getvalue(), content_type="image/png")


def jpeg_upload(name="photo.jpg") -> SimpleUploadedFile:
    output = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(output, format="JPEG")
    return SimpleUploadedFile(name, output.getvalue(), content_type="image/jpeg")


def noisy_png_upload(min_bytes: int) -> SimpleUploadedFile:
    """Return a real PNG of random pixels (which do not compress) of at least min_bytes."""
    side = int((min_bytes / 3) ** 0.5) + 16
    image = Image.frombytes("RGB", (side, side), os.urandom(side * side * 3))
    output = io.BytesIO()
    image.save(output, format="PNG", compress_level=0)
    data = output.getvalue()
    assert len(data) > min_bytes
    return SimpleUploadedFile("big.png", data, content_type="image/png")


def svg_upload(name="logo.svg") -> SimpleUploadedFile:
    data = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    return SimpleUploadedFile(name, data, content_type="image/svg+xml")


def fake_png_upload() -> SimpleUploadedFile:
    """Return an HTML file pretending to be a PNG by name and content type."""
    return SimpleUploadedFile(
        "logo.png", b"<html><script>alert(1)</script></html>", content_type="image/png"
    )


def gif_upload() -> SimpleUploadedFile:
    output = io.BytesIO()
    Image.new("RGB", (8, 8)).save(output, format="GIF")
    return SimpleUploadedFile("logo.gif", output.getvalue(), content_type="image/gif")
