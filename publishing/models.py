from typing import NamedTuple

from django.db import models
from django.utils import timezone


class Status(models.TextChoices):
    DRAFT = "draft", "Draft"
    REVIEW = "review", "In review"
    PUBLISHED = "published", "Published"


MAX_SEARCH_WORDS = 8


def search_words(query):
    """Split a visitor's query into at most MAX_SEARCH_WORDS words safe for any database."""
    # PostgreSQL refuses NUL characters in text; nobody types them on purpose.
    cleaned = query.replace("\x00", " ")[:200]
    return cleaned.split()[:MAX_SEARCH_WORDS]


class Section(NamedTuple):
    anchor: str
    heading: str
    html: str


class PublishableQuerySet(models.QuerySet):
    def published(self):
        """The one rule for what the public may see."""
        return self.filter(status=Status.PUBLISHED)

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
        null=True, blank=True, help_text="The date a clinician last checked this page was accurate."
    )
    next_review_due = models.DateField(
        null=True, blank=True, help_text="When the page must next be checked, e.g. three years after the last review."
    )
    reviewed_by = models.CharField(
        max_length=200,
        blank=True,
        help_text="Role of the reviewer, shown on the page, e.g. ‘Consultant interventional radiologist’.",
    )

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
        ]

    def save(self, *args, **kwargs):
        if self.is_published and self.first_published_at is None:
            self.first_published_at = timezone.now()
        super().save(*args, **kwargs)

    @property
    def is_published(self):
        return self.status == Status.PUBLISHED

    def non_empty_sections(self):
        """The sections with content, in page order; empty ones are left out of the page entirely."""
        return [
            Section(name.replace("_", "-"), heading, getattr(self, name))
            for name, heading in self.SECTIONS
            if self.section_has_content(name)
        ]

    def section_has_content(self, name):
        return bool(getattr(self, name))
