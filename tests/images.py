"""Image files for tests, good and bad, made on the spot."""

import io
import struct
import zlib

from django.core.files.base import ContentFile
from PIL import Image


def png_bytes(size=(64, 48), name="scan.png"):
    """A small real PNG, as an uploaded file."""
    buffer = io.BytesIO()
    Image.new("RGB", size, (40, 40, 40)).save(buffer, "PNG")
    return ContentFile(buffer.getvalue(), name=name)


def encoded(image_format, size=(64, 48), mode="RGB", **options):
    buffer = io.BytesIO()
    Image.new(mode, size, 90).save(buffer, image_format, **options)
    return buffer.getvalue()


def upload(data, name):
    return ContentFile(data, name=name)


def _png_chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_bomb(width, height, with_pixels=True):
    """A black-and-white PNG that is tiny on disk but huge once decoded.

    with_pixels=False leaves out the pixel data: only the header claims the size.
    """
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)  # 1 bit per pixel, greyscale
    rows = (b"\x00" + b"\x00" * ((width + 7) // 8)) * height if with_pixels else b"\x00"
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", zlib.compress(rows, 9))
        + _png_chunk(b"IEND", b"")
    )


def jpeg_segment(marker, payload):
    return b"\xff" + bytes([marker]) + struct.pack(">H", len(payload) + 2) + payload


def with_segment_after_start(jpeg, segment):
    """Insert a JPEG marker segment (such as IPTC in APP13) straight after the start-of-image marker."""
    return jpeg[:2] + segment + jpeg[2:]
