"""`manage.py publish_scheduled`: put scheduled approvals live and take expired pages off the site.

Run it every minute from cron or a systemd timer (see README, "Scheduled publishing").
"""

from django.core.management.base import BaseCommand

from publishing.workflow import publish_scheduled


class Command(BaseCommand):
    help = "Publish approved versions whose go-live time has come, and unpublish pages whose expiry has passed."

    def handle(self, *args, **options):
        went_live, expired = publish_scheduled()
        for page in went_live:
            self.stdout.write(f"Went live: {page.kind} “{page}”")
        for page in expired:
            self.stdout.write(f"Expired: {page.kind} “{page}”")
