#!/usr/bin/env bash
# Restore an archive made by deploy/backup.sh: REPLACES the database's tables and the media folder's files
# with the archive's. Stop gunicorn first; run as root from the app folder with the site's environment loaded
# (README, "Backups"):
#   systemctl stop patientinfo && deploy/restore.sh /var/backups/patientinfo/patientinfo-2026-12-01.tar
set -euo pipefail
archive=${1:?usage: deploy/restore.sh ARCHIVE.tar}
: "${DATABASE_URL:?DATABASE_URL must be set (load the site's environment first)}"
: "${DJANGO_MEDIA_ROOT:?DJANGO_MEDIA_ROOT must be set (load the site's environment first)}"
cd "$(dirname "$0")/.."

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# Check the whole archive before touching anything.
tar -C "$work" -xf "$archive" database.dump media.tar
mkdir "$work/media"
tar -C "$work/media" -xf "$work/media.tar"
pg_restore --list "$work/database.dump" >/dev/null

# One transaction: a restore that fails leaves the database as it was.
pg_restore --clean --if-exists --no-owner --no-privileges --exit-on-error --single-transaction \
  --dbname="$DATABASE_URL" "$work/database.dump"
mkdir -p "$DJANGO_MEDIA_ROOT"
find "$DJANGO_MEDIA_ROOT" -mindepth 1 -delete
cp -a "$work/media/." "$DJANGO_MEDIA_ROOT/"
# The archive may come from an older release: bring its tables up to this one's.
.venv/bin/python manage.py migrate --no-input
# No page rendered before the restore may be served after it, on any app server.
.venv/bin/python manage.py clear_page_cache
echo "Restored $archive"
