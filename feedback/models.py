from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Count, Q
from django.utils import timezone

from publishing.models import PageQuerySet, PageRecord, page_key

# A comment is a few sentences about what was unclear; the form says so.
COMMENT_MAX_LENGTH = 1000


class FeedbackQuerySet(PageQuerySet):
    def counts_per_page(self):
        """[(page or None if deleted, content type, page id, yes, no, comments)], most answers first."""
        rows = list(
            self.order_by()
            .values("content_type", "object_id")
            .annotate(
                yes=Count("pk", filter=Q(helpful=True)),
                no=Count("pk", filter=Q(helpful=False)),
                comments=Count("pk", filter=~Q(comment="")),
            )
        )
        pages = pages_by_key({(row["content_type"], row["object_id"]) for row in rows})
        return [
            {**row, "page": pages.get((row["content_type"], row["object_id"]))}
            for row in sorted(rows, key=lambda row: (-(row["yes"] + row["no"]), row["content_type"], row["object_id"]))
        ]


def pages_by_key(keys):
    """{(content type id, page id): page} for the pages still there: one query per kind of page."""
    found = {}
    for content_type_id in {content_type for content_type, _ in keys}:
        model = ContentType.objects.get_for_id(content_type_id).model_class()
        ids = [page_id for content_type, page_id in keys if content_type == content_type_id]
        for page in model.objects.filter(pk__in=ids).only("name", "slug"):
            found[(content_type_id, page.pk)] = page
    return found


class Feedback(PageRecord):
    """One reader's answer to "Was this page helpful?", kept with nothing that says who sent it.

    No address, session, cookie, user agent or time of day: only the day it came, so that an answer
    cannot be matched against the web server's log by its time.
    """

    helpful = models.BooleanField()
    comment = models.CharField(max_length=COMMENT_MAX_LENGTH, blank=True)
    version_number = models.PositiveIntegerField(
        null=True, blank=True, help_text="The approved version of the page the reader was shown."
    )
    received_on = models.DateField(default=timezone.localdate)

    objects = FeedbackQuerySet.as_manager()

    class Meta:
        ordering = ["-received_on", "-pk"]
        verbose_name = "reader feedback"
        verbose_name_plural = "reader feedback"

    def __str__(self):
        return f"{'Helpful' if self.helpful else 'Not helpful'} ({self.received_on:%d %b %Y})"

    @classmethod
    def record(cls, page, helpful, comment=""):
        live = page.live_version()
        return cls.objects.create(
            **page_key(page), helpful=helpful, comment=comment, version_number=live.number if live else None
        )
