"""Pinned dependencies stay clear of releases with known vulnerabilities."""

import re

import PIL

from tests.test_settings import ROOT


def version(text):
    return tuple(int(part) for part in text.split(".")[:3])


def test_pillow_has_the_fixes_for_its_known_cves():
    # CVE-2026-25990 is fixed in 12.1.1, CVE-2026-40192 in 12.2.0.
    pinned = re.search(r"^pillow==([\d.]+)$", (ROOT / "requirements.txt").read_text(), re.MULTILINE)
    assert version(pinned.group(1)) >= (12, 2, 0)
    assert version(PIL.__version__) >= (12, 2, 0)
