"""`manage.py review_report`: the published pages whose review is overdue or due soon, for a daily cron job."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email

from publishing.models import DUE_SOON_DAYS, pages_due_for_review, publishable_models

# What `--if-due` exits with when no page is due, so that a cron line can tell "nothing to do" from a failure.
NOTHING_DUE = 3


class Command(BaseCommand):
    help = f"List published pages whose review is overdue or due within {DUE_SOON_DAYS} days."

    def add_arguments(self, parser):
        parser.add_argument(
            "--email",
            action="append",
            default=[],
            metavar="ADDRESS",
            help="Send the report to this address (repeatable) with Django's email settings, "
            "only when a page is due; print nothing.",
        )
        parser.add_argument(
            "--if-due",
            action="store_true",
            help=f"When no page is due, print nothing and exit with status {NOTHING_DUE}.",
        )

    def handle(self, *args, email, if_due, **options):
        for address in email:
            try:
                validate_email(address)
            except ValidationError:
                raise CommandError(f"Not an email address: {address!r}") from None
        overdue, due_soon = pages_due_for_review(publishable_models())
        nothing_due = not overdue and not due_soon
        if nothing_due and (email or if_due):
            raise SystemExit(NOTHING_DUE if if_due else 0)
        report = self.report("Overdue for review", overdue) + self.report(
            f"Due for review within {DUE_SOON_DAYS} days", due_soon
        )
        if not email:
            self.stdout.write(report, ending="")
            return
        subject = f"Patient pages due for review: {len(overdue)} overdue, {len(due_soon)} due soon"
        # A mail server that refuses fails the command (non-zero exit), so cron reports it.
        send_mail(subject, report, None, email, fail_silently=False)
        self.stdout.write(f"Sent to {', '.join(email)}.")

    def report(self, heading, pages):
        lines = [f"{heading}: {len(pages)}"]
        lines += [
            f"  {page.next_review_due:%Y-%m-%d}  {page.kind}: {page}"
            f" (reviewer: {page.reviewed_by or 'not recorded'}) {settings.SITE_URL}{page.get_admin_url()}"
            for page in pages
        ]
        return "\n".join(lines) + "\n"
