"""`manage.py review_report`: the published pages whose review is overdue or due soon, for a daily cron job."""

from django.conf import settings
from django.core.management.base import BaseCommand

from publishing.models import DUE_SOON_DAYS, pages_due_for_review, publishable_models


class Command(BaseCommand):
    help = f"List published pages whose review is overdue or due within {DUE_SOON_DAYS} days."

    def handle(self, *args, **options):
        overdue, due_soon = pages_due_for_review(publishable_models())
        self.report("Overdue for review", overdue)
        self.report(f"Due for review within {DUE_SOON_DAYS} days", due_soon)

    def report(self, heading, pages):
        self.stdout.write(f"{heading}: {len(pages)}")
        for page in pages:
            self.stdout.write(
                f"  {page.next_review_due:%Y-%m-%d}  {page.kind}: {page}"
                f" (reviewer: {page.reviewed_by or 'not recorded'}) {settings.SITE_URL}{page.get_admin_url()}"
            )
