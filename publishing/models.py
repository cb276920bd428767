from datetime import timedelta
from typing import NamedTuple

from django.apps import apps
from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone


class Status(models.TextChoices):
    DRAFT = "draft", "Draft"
    REVIEW = "review", "In review"
    PUBLISHED = "published", "Published"


MAX_SEARCH_WORDS = 8
# How far ahead staff are warned that a page's review is coming up.
DUE_SOON_DAYS = 90


def search_words(query):
    """Split a visitor's query into at most MAX_SEARCH_WORDS words safe for any database."""
    # PostgreSQL refuses NUL characters in text; nobody types them on purpose.
    cleaned = query.replace("\x00", " ")[:200]
    return cleaned.split()[:MAX_SEARCH_WORDS]


class Section(NamedTuple):
    """One part of a page: its anchor, its <h2> and what goes under it (sanitised HTML or pages)."""

    anchor: str
    heading: str
    content: object


class PublishableQuerySet(models.QuerySet):
    def published(self):
        """The one rule for what the public may see."""
        return self.filter(status=Status.PUBLISHED)

    def for_detail_page(self):
        """Published pages with everything their page shows."""
        return self.published().with_page_content()

    def with_page_content(self):
        """Pages of any status with everything their page shows; each model adds its own prefetches."""
        return self

    def review_overdue(self):
        """Published pages whose review date has passed: patients still see them, staff see them flagged."""
        return self.published().filter(next_review_due__lt=timezone.localdate())

    def review_due_soon(self):
        """Published pages whose review falls due within DUE_SOON_DAYS."""
        today = timezone.localdate()
        return self.published().filter(next_review_due__range=(today, today + timedelta(days=DUE_SOON_DAYS)))

    def search(self, query):
        """Published pages containing every word of query in a searchable field."""
        words = search_words(query)
        if not words:
            return self.none()
        fields = self.model.SEARCH_FIELDS + tuple(name for name, _ in self.model.SECTIONS)
        matches = models.Q()
        for word in words:
            any_field = models.Q()
            for field in fields:
                any_field |= models.Q(**{f"{field}__icontains": word})
            matches &= any_field
        return self.published().filter(matches)


class Publishable(models.Model):
    """What conditions and procedures share: a status and review dates."""

    status = models.CharField(
        max_length=20,
        choices=Status,
        default=Status.DRAFT,
        help_text="Only published pages are shown to the public.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    first_published_at = models.DateTimeField(
        null=True, blank=True, editable=False, help_text="Set automatically the first time the page is published."
    )
    last_reviewed = models.DateField(
        null=True,
        blank=True,
        help_text="The date a clinician last checked this page was accurate. Needed to publish.",
    )
    next_review_due = models.DateField(
        null=True,
        blank=True,
        help_text="When the page must next be checked. Left empty, it is set from the last review date "
        "and the review interval (three years unless configured otherwise).",
    )
    reviewed_by = models.CharField(
        max_length=200,
        blank=True,
        help_text="Role of the reviewer, shown on the page, e.g. ‘Consultant interventional radiologist’. "
        "Needed to publish.",
    )
    # Optimistic locking: every save counts up, so a form opened at an older number is out of date.
    version = models.PositiveIntegerField(default=0, editable=False)

    objects = PublishableQuerySet.as_manager()

    # (rich-text field name, public heading) in page order; set by each model.
    SECTIONS = ()
    # Plain-text fields searched as well as the sections.
    SEARCH_FIELDS = ("name", "summary")

    class Meta:
        abstract = True
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=Status.values),
                name="%(app_label)s_%(class)s_status_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(next_review_due__isnull=True)
                | models.Q(last_reviewed__isnull=True)
                | models.Q(next_review_due__gte=models.F("last_reviewed")),
                name="%(app_label)s_%(class)s_review_due_after_last_review",
            ),
            models.CheckConstraint(
                condition=~models.Q(status=Status.PUBLISHED)
                | (models.Q(last_reviewed__isnull=False) & ~models.Q(reviewed_by="")),
                name="%(app_label)s_%(class)s_published_pages_are_reviewed",
                violation_error_message="A page can be published only when it has a last review date and a reviewer.",
            ),
        ]

    def save(self, *args, **kwargs):
        if self.is_published and self.first_published_at is None:
            self.first_published_at = timezone.now()
        if self.last_reviewed and not self.next_review_due:
            self.next_review_due = self.last_reviewed + timedelta(days=settings.REVIEW_INTERVAL_DAYS)
        self.version += 1
        super().save(*args, **kwargs)

    def get_admin_url(self):
        return reverse(f"admin:{self._meta.app_label}_{self._meta.model_name}_change", args=[self.pk])

    @property
    def kind(self):
        """‘condition’ or ‘procedure’, for staff lists that mix both."""
        return self._meta.verbose_name

    @property
    def is_published(self):
        return self.status == Status.PUBLISHED

    @property
    def is_review_overdue(self):
        return self.is_published and self.next_review_due is not None and self.next_review_due < timezone.localdate()

    def non_empty_sections(self):
        """The sections with content, in page order; empty ones are left out of the page entirely."""
        return [
            Section(name.replace("_", "-"), heading, getattr(self, name))
            for name, heading in self.SECTIONS
            if self.section_has_content(name)
        ]

    def section_has_content(self, name):
        return bool(getattr(self, name))


def publishable_models():
    """Every concrete model with a status and review dates: conditions and procedures."""
    return [model for model in apps.get_models() if issubclass(model, Publishable)]


def pages_due_for_review(models):
    """(overdue, due soon): published pages of the given models, each list soonest due first."""

    def gather(method):
        pages = [page for model in models for page in getattr(model.objects, method)()]
        return sorted(pages, key=lambda page: (page.next_review_due, str(page)))

    return gather("review_overdue"), gather("review_due_soon")
