"""The restore drill: deploy/backup.sh and deploy/restore.sh, as the README runs them, on a throwaway PostgreSQL."""

import json
import os
import subprocess
import tempfile
from pathlib import Path

import pytest

from tests.servers import BIN, ROOT, postgres_bin, run, site_environment, throwaway_postgres

# What the drill reads back: the demo's condition and whether every case image's file is on disk.
SITE_STATE = """
import json
from conditions.models import CaseImage, Condition
images = CaseImage.objects.order_by("pk")
print(json.dumps({
    "conditions": list(Condition.objects.order_by("slug").values_list("slug", flat=True)),
    "images": [image.image.name for image in images],
    "files_present": [image.image.storage.exists(image.image.name) for image in images],
}))
"""


def manage(env, *args):
    return run([BIN / "python", "manage.py", *args], cwd=ROOT, env=env).stdout


def site_state(env):
    return json.loads(manage(env, "shell", "--no-imports", "-c", SITE_STATE).splitlines()[-1])


@pytest.fixture
def site():
    """A migrated site with the demo content on a PostgreSQL cluster of its own, and its media and cache folders."""
    with throwaway_postgres() as postgres, tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        env = {
            **site_environment(),
            "DATABASE_URL": postgres.url,
            "DJANGO_MEDIA_ROOT": str(folder / "media"),
            "DJANGO_CACHE_DIR": str(folder / "cache"),
            # pg_dump must be the server's own version; Debian keeps it beside initdb.
            "PATH": f"{postgres_bin()}{os.pathsep}{os.environ['PATH']}",
        }
        manage(env, "migrate", "--no-input")
        manage(env, "load_demo")
        yield env, folder


def test_a_backup_restores_the_database_and_its_pictures_together(site):
    env, folder = site
    before = site_state(env)
    assert "bone-pain-from-cancer" in before["conditions"] and before["images"] and all(before["files_present"])
    archive = folder / "backup.tar"

    backed_up = run([ROOT / "deploy/backup.sh", archive], cwd=ROOT, env=env)
    assert f"media files to {archive}" in backed_up.stdout and archive.exists()

    # What a restore is for: pages deleted by mistake, pictures lost from the disk.
    manage(
        env, "shell", "--no-imports", "-c", "from conditions.models import Condition; Condition.objects.all().delete()"
    )
    for name in before["images"]:
        (Path(env["DJANGO_MEDIA_ROOT"]) / name).unlink(missing_ok=True)
    stray = Path(env["DJANGO_MEDIA_ROOT"]) / "cases" / "uploaded-after-the-backup.png"
    stray.write_bytes(b"not in the backup")
    assert site_state(env)["conditions"] == []

    restored = run([ROOT / "deploy/restore.sh", archive], cwd=ROOT, env=env)
    assert f"Restored {archive}" in restored.stdout
    assert site_state(env) == before
    assert not stray.exists()  # the media folder is the archive's, as the database is


def test_a_damaged_archive_changes_nothing(site):
    env, folder = site
    before = site_state(env)
    archive = folder / "backup.tar"
    run([ROOT / "deploy/backup.sh", archive], cwd=ROOT, env=env)
    archive.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])  # cut off, like a full disk
    manage(
        env, "shell", "--no-imports", "-c", "from conditions.models import CaseStudy; CaseStudy.objects.all().delete()"
    )
    after_the_mistake = site_state(env)

    result = subprocess.run([ROOT / "deploy/restore.sh", archive], cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode != 0
    assert site_state(env) == after_the_mistake != before


def test_backup_refuses_a_database_that_is_not_postgresql(tmp_path):
    env = {
        **site_environment(),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "DJANGO_MEDIA_ROOT": str(tmp_path),
    }
    result = subprocess.run([ROOT / "deploy/backup.sh", tmp_path / "b.tar"], env=env, capture_output=True, text=True)
    assert result.returncode == 2 and "not PostgreSQL" in result.stderr
    assert not (tmp_path / "b.tar").exists()


def test_backup_and_restore_need_the_sites_environment(tmp_path):
    env = {key: value for key, value in site_environment().items() if key != "DJANGO_MEDIA_ROOT"}
    for script in ("backup.sh", "restore.sh"):
        result = subprocess.run([ROOT / "deploy" / script, tmp_path / "b.tar"], env=env, capture_output=True, text=True)
        assert result.returncode != 0 and "must be set" in result.stderr
