#!/usr/bin/env bash
# Back up the database and the media folder together into one archive: revisions in the database refer to
# image files by name, so the two are only any use as a pair. Run as root from the app folder with the
# site's environment loaded (README, "Backups"):
#   deploy/backup.sh /var/backups/patientinfo/patientinfo-$(date +%F).tar
set -euo pipefail
archive=${1:?usage: deploy/backup.sh ARCHIVE.tar}
: "${DATABASE_URL:?DATABASE_URL must be set (load the site's environment first)}"
: "${DJANGO_MEDIA_ROOT:?DJANGO_MEDIA_ROOT must be set (load the site's environment first)}"
case $DATABASE_URL in
  postgres://* | postgresql://*) ;;
  *) echo "backup.sh: DATABASE_URL is not PostgreSQL; production runs on PostgreSQL" >&2; exit 2 ;;
esac

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# The database first: a picture uploaded meanwhile is then only an unreferenced file in the archive
# (orphaned_media finds it), never a row whose file is missing.
pg_dump --format=custom --no-owner --no-privileges --dbname="$DATABASE_URL" --file="$work/database.dump"
tar -C "$DJANGO_MEDIA_ROOT" -cf "$work/media.tar" .
# Written beside the target and renamed, so an interrupted backup never looks like a complete one.
tar -C "$work" -cf "$archive.partial" database.dump media.tar
mv "$archive.partial" "$archive"
echo "Backed up the database and $(tar -tf "$work/media.tar" | grep -vc '/$') media files to $archive"
