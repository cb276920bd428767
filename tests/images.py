import io

from django.core.files.base import ContentFile
from PIL import Image


def png_bytes(size=(64, 48), name="scan.png"):
    """A small real PNG, as an uploaded file."""
    buffer = io.BytesIO()
    Image.new("RGB", size, (40, 40, 40)).save(buffer, "PNG")
    return ContentFile(buffer.getvalue(), name=name)
