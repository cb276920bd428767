"""Uploads on S3-compatible object storage, for several app servers: tested against moto's standalone server."""

import datetime
import io
import json
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

import boto3
import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import Client

from conditions import images
from conditions.management.commands import orphaned_media
from conditions.models import CaseImage
from tests.conftest import make_case, make_condition
from tests.images import png_bytes
from tests.test_settings import ROOT, clean_environment

pytestmark = pytest.mark.django_db
CREDENTIALS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing", "region_name": "us-east-1"}


@pytest.fixture(scope="session")
def moto_url():
    """moto's S3 over HTTP on a free loopback port, as a real object store would be reached."""
    command = shutil.which("moto_server", path=str(Path(sys.executable).parent))
    assert command, "moto_server is missing: `make test` installs requirements-dev.txt"
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = subprocess.Popen(
        [command, "-H", "127.0.0.1", "-p", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        deadline = time.monotonic() + 20
        while socket.socket().connect_ex(("127.0.0.1", port)) != 0:
            assert server.poll() is None and time.monotonic() < deadline, "moto_server did not start"
            time.sleep(0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.fixture
def bucket(moto_url, settings):
    name = f"media-{uuid.uuid4().hex[:12]}"
    client = boto3.client("s3", endpoint_url=moto_url, **CREDENTIALS)
    client.create_bucket(Bucket=name)
    # As README asks: anyone may read the objects (pages link them by plain URLs), nobody may list them.
    policy = {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{name}/*"}
    client.put_bucket_policy(Bucket=name, Policy=json.dumps({"Version": "2012-10-17", "Statement": [policy]}))
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": name,
                "endpoint_url": moto_url,
                "region_name": "us-east-1",
                "access_key": "testing",
                "secret_key": "testing",
                "addressing_style": "path",
                "querystring_auth": False,
                "file_overwrite": False,
                "object_parameters": {"CacheControl": "public, max-age=86400"},
            },
        },
    }

    def keys():
        return sorted(item["Key"] for item in client.list_objects_v2(Bucket=name).get("Contents", []))

    return name, keys


def test_a_case_image_and_its_renditions_are_stored_in_the_bucket_and_shown_from_it(bucket, moto_url):
    name, keys = bucket
    condition = make_condition()
    make_case(condition, images=1)
    image = CaseImage.objects.get()
    assert keys() == sorted([image.image.name, *image.image.rendition_names()])
    html = Client().get(condition.get_absolute_url()).content.decode()
    url = image.rendition_urls[0][0]
    assert url.startswith(f"{moto_url}/{name}/cases/") and url in html
    with urllib.request.urlopen(url, timeout=10) as response:
        assert response.headers["Content-Type"] == "image/webp"
        assert response.headers["Cache-Control"] == "public, max-age=86400"
        assert response.read(12)[8:12] == b"WEBP"


def test_deleting_a_case_study_deletes_its_pictures_from_the_bucket(bucket, django_capture_on_commit_callbacks):
    _, keys = bucket
    case = make_case(make_condition(), images=2)
    assert len(keys()) > 2
    with django_capture_on_commit_callbacks(execute=True):
        case.delete()
    assert keys() == []


def test_rebuild_renditions_restores_a_rendition_missing_from_the_bucket(bucket):
    _, keys = bucket
    make_case(make_condition(), images=1)
    image = CaseImage.objects.get()
    missing = images.rendition_name(image.image.name, image.renditions[0])
    image.image.storage.delete(missing)
    assert missing not in keys()
    call_command("rebuild_renditions", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert missing in keys()


def test_an_image_saved_in_a_block_that_rolls_back_leaves_nothing_in_the_bucket(bucket):
    _, keys = bucket
    case = make_case(make_condition(), images=0)
    with pytest.raises(RuntimeError), transaction.atomic():
        image = CaseImage(case_study=case, label="A", stage="before", caption="Before.", alt_text="A tumour.")
        image.image.save("scan.png", png_bytes())
        assert len(keys()) == 2
        raise RuntimeError("rolled back")
    assert keys() == []


def test_orphaned_media_deletes_from_the_bucket_only_what_no_case_image_refers_to(bucket, moto_url, monkeypatch):
    name, keys = bucket
    make_case(make_condition(), images=1)
    image = CaseImage.objects.get()
    client = boto3.client("s3", endpoint_url=moto_url, **CREDENTIALS)
    for key in ["cases/2025/0123abcd.png", "cases/2025/0123abcd-480w.webp", "elsewhere/notes.txt"]:
        client.put_object(Bucket=name, Key=key, Body=b"left behind")
    monkeypatch.setattr(orphaned_media, "MIN_AGE", datetime.timedelta(0))  # the bucket's clock says "just now"
    out = io.StringIO()
    call_command("orphaned_media", "--delete", stdout=out)
    assert (
        out.getvalue().splitlines()[-1]
        == "Deleted 2 orphaned files (referred to by no case image) among 4 under cases/."
    )
    assert keys() == sorted([image.image.name, *image.image.rendition_names(), "elsewhere/notes.txt"])


def check_settings(**env):
    code = "from django.conf import settings; import json; print(json.dumps(settings.CONTENT_SECURITY_POLICY))"
    return subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=ROOT,
        env={**clean_environment(), "DJANGO_SETTINGS_MODULE": "radiology_site.settings", "DJANGO_DEBUG": "1", **env},
        capture_output=True,
        text=True,
    )


def test_pages_may_show_images_from_the_bucket_and_nowhere_else():
    result = check_settings(DJANGO_MEDIA_S3_BUCKET="media", DJANGO_MEDIA_S3_PUBLIC_URL="https://media.example.org")
    assert json.loads(result.stdout)["DIRECTIVES"]["img-src"] == ["'self'", "https://media.example.org"]
    assert json.loads(check_settings().stdout)["DIRECTIVES"]["img-src"] == ["'self'"]


def test_a_bucket_without_an_address_stops_the_site_with_a_clear_message():
    result = check_settings(DJANGO_MEDIA_S3_BUCKET="media")
    assert result.returncode != 0 and "DJANGO_MEDIA_S3_ENDPOINT_URL" in result.stderr
