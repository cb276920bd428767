"""Case images: refuse anything unsafe, keep only the pixels, and make the renditions pages show.

Clinical images can carry what identifies a patient: EXIF (GPS, dates, camera serial), XMP,
IPTC, DICOM headers, or bytes hidden after the image. So nothing the upload contains is stored
as it came: the pixels are decoded, turned upright, and encoded again into a new file.

Every check that needs no decoding (size on disk, file signature, format, pixel count from the
header) runs before the first pixel is decoded, so a decompression bomb is refused cheaply.
"""

import io
import warnings
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from PIL import Image, ImageOps, UnidentifiedImageError

# Pillow's format name -> the file name endings that may carry it.
EXTENSIONS = {"JPEG": (".jpg", ".jpeg"), "PNG": (".png",), "WEBP": (".webp",)}
ACCEPT = "image/jpeg,image/png,image/webp"
# Widths of the WebP renditions pages offer in srcset; images narrower than one get their own width.
RENDITION_WIDTHS = (480, 960, 1600)

DICOM_MESSAGE = (
    "DICOM files cannot be uploaded: they carry the patient's details. A DICOM image must be exported "
    "from the viewer as a de-identified JPEG or PNG first; upload that file instead."
)
WRONG_TYPE_MESSAGE = "Upload a JPEG, PNG or WebP image. %(what)s files are not accepted."
DAMAGED_MESSAGE = "The image is damaged or incomplete. Export it again and upload the new file."

# File signatures of formats staff might try, so the message can name them.
_OTHER_FORMATS = (
    (b"II*\x00", "TIFF"),
    (b"MM\x00*", "TIFF"),
    (b"BM", "BMP"),
    (b"8BPS", "Photoshop (PSD)"),
    (b"GIF8", "GIF"),
    (b"%PDF", "PDF"),
)
# Pixel layouts that re-encode faithfully into 8-bit JPEG, PNG and WebP.
_MODES = {"1", "L", "LA", "P", "PA", "RGB", "RGBA", "CMYK", "YCbCr"}


def open_upload(file, name=None):
    """Check an uploaded file is a safe, whole JPEG, PNG or WebP and return it decoded.

    name is what the caller says the file is called, e.g. the name given to FieldFile.save(); it
    wins over file.name, which a ContentFile made without one lacks. Raises ValidationError with a message
    written for the member of staff who uploaded it.
    """
    if not file.size:
        raise ValidationError("The file is empty. Choose the image again.", code="empty")
    if file.size > settings.IMAGE_UPLOAD_MAX_BYTES:
        raise ValidationError(
            "The file is %(size)s; images can be at most %(limit)s. Export it at a smaller size.",
            code="too_large",
            params={"size": filesizeformat(file.size), "limit": filesizeformat(settings.IMAGE_UPLOAD_MAX_BYTES)},
        )
    extension = Path(name or file.name or "").suffix.lower()
    file.seek(0)
    head = file.read(512)
    file.seek(0)
    _refuse_other_formats(extension, head)

    image = _open_header(file)
    allowed = EXTENSIONS[image_format(image)]
    if extension not in allowed:
        raise ValidationError(
            "The file contains a %(format)s image but its name ends in ‘%(extension)s’. "
            "Upload it with a name ending in ‘%(allowed)s’.",
            code="extension_mismatch",
            params={"format": image_format(image), "extension": extension or "(nothing)", "allowed": allowed[0]},
        )
    # A camera's multi-picture JPEG (MPO) holds previews after the photo; only the photo is kept.
    if image.format != "MPO" and getattr(image, "n_frames", 1) > 1:
        raise ValidationError("Animated images are not accepted. Upload a single still image.", code="animated")
    if image.mode not in _MODES:
        raise ValidationError(
            "This image uses a colour format (%(mode)s) the site cannot show, such as 16 bits per channel. "
            "Export it as an ordinary 8-bit JPEG or PNG.",
            code="mode",
            params={"mode": image.mode},
        )
    try:
        image.load()
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise ValidationError(DAMAGED_MESSAGE, code="damaged") from None
    finally:
        file.seek(0)  # whoever reads the file next starts at the beginning
    return image


def image_format(image):
    """JPEG, PNG or WEBP: the format a checked upload is stored in."""
    return "JPEG" if image.format == "MPO" else image.format


def _refuse_other_formats(extension, head):
    if extension in {".dcm", ".dicom"} or head[128:132] == b"DICM":
        raise ValidationError(DICOM_MESSAGE, code="dicom")
    if extension in {".svg", ".svgz"}:
        raise ValidationError(WRONG_TYPE_MESSAGE, code="svg", params={"what": "SVG"})
    if head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
        # HTML, SVG or XML, whatever the name says: a browser could run script in it.
        raise ValidationError(
            "This file is a web page or drawing (HTML, SVG or XML), not an image. Upload a JPEG, PNG or WebP.",
            code="markup",
        )
    for signature, name in _OTHER_FORMATS:
        if head.startswith(signature):
            raise ValidationError(WRONG_TYPE_MESSAGE, code="format", params={"what": name})
    if head[4:8] == b"ftyp":
        raise ValidationError(WRONG_TYPE_MESSAGE, code="format", params={"what": "HEIC and AVIF"})


def _open_header(file):
    """Read the image's header only, refusing it if its pixel count is over the limit."""
    limit = settings.IMAGE_UPLOAD_MAX_PIXELS
    too_many = ValidationError(
        "The image is more than %(megapixels)s megapixels. Export it at a smaller size.",
        code="too_many_pixels",
        params={"megapixels": f"{limit / 1_000_000:g}"},
    )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(file, formats=list(EXTENSIONS))
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise too_many from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise ValidationError(
            "Upload a JPEG, PNG or WebP image. This file is not one, or it is damaged.", code="invalid"
        ) from None
    if image.width * image.height > limit:
        raise too_many
    return image


def pixels_only(image):
    """A new image holding only the upright pixels: no metadata, colour profile or trailing bytes."""
    upright = ImageOps.exif_transpose(image)
    if upright.mode in {"LA", "PA", "RGBA"} or "transparency" in upright.info:
        mode = "RGBA"
    elif upright.mode in {"1", "L"}:
        mode = "L"
    else:
        mode = "RGB"
    converted = upright.convert(mode)
    return Image.frombytes(mode, converted.size, converted.tobytes())


def encode(image, image_format):
    """Encode a pixels_only() image as JPEG, PNG or WebP."""
    if image_format == "JPEG" and image.mode == "RGBA":
        image = image.convert("RGB")
    options = {"JPEG": {"quality": 90}, "PNG": {}, "WEBP": {"quality": 90}}[image_format]
    buffer = io.BytesIO()
    image.save(buffer, image_format, **options)
    return buffer.getvalue()


def rendition_widths(width):
    """The rendition widths for an image this wide: never wider than the image itself."""
    return sorted({min(target, width) for target in RENDITION_WIDTHS})


def make_renditions(image):
    """(width, WebP bytes) for each of rendition_widths(image.width)."""
    renditions = []
    for width in rendition_widths(image.width):
        height = max(1, round(image.height * width / image.width))
        resized = image if width == image.width else image.resize((width, height), Image.Resampling.LANCZOS)
        buffer = io.BytesIO()
        resized.save(buffer, "WEBP", quality=80)
        renditions.append((width, buffer.getvalue()))
    return renditions


def rendition_name(name, width):
    """Where the rendition of the stored image `name` at `width` pixels lives."""
    return f"{name.rsplit('.', 1)[0]}-{width}w.webp"
