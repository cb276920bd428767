import json
import secrets
from datetime import timedelta
from typing import NamedTuple

from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone

from . import page_cache
from .addresses import address


class Status(models.TextChoices):
    DRAFT = "draft", "Draft"
    REVIEW = "review", "In review"
    PUBLISHED = "published", "Published"


# The two staff roles (created by publishing/migrations/0001_roles.py).
EDITORS = "Editors"
CLINICAL_REVIEWERS = "Clinical reviewers"

MAX_SEARCH_WORDS = 8
# How far ahead staff are warned that a page's review is coming up.
DUE_SOON_DAYS = 90


def search_words(query):
    """Split a visitor's query into at most MAX_SEARCH_WORDS words safe for any database."""
    # PostgreSQL refuses NUL characters in text; nobody types them on purpose.
    cleaned = query.replace("\x00", " ")[:200]
    return cleaned.split()[:MAX_SEARCH_WORDS]


# A page's "When to get help urgently" card: at most this many signs, each at most this long.
URGENT_MAX_SIGNS = 10
URGENT_SIGN_MAX_LENGTH = 200
# Bullets staff may paste at the start of a sign; the card draws its own.
BULLETS = "-*•–"


class UrgentHelp(NamedTuple):
    """A page's care card: the signs to look for, what to do (paragraphs), and the emergency number."""

    signs: list
    advice: list
    section: str  # the anchor of the section it is shown in again, or ""
    emergency_number: str


def urgent_signs(text):
    """The signs staff typed, one a line: blank lines dropped, pasted bullets and spaces trimmed."""
    signs = (line.strip().lstrip(BULLETS).strip() for line in (text or "").splitlines())
    return [sign for sign in signs if sign]


def urgent_section_field(sections):
    """The section of a page (one of its SECTIONS) where its care card is shown again."""
    return models.CharField(
        "also shown under",
        max_length=40,
        blank=True,
        choices=[("", "Nowhere else: only near the top"), *sections],
        help_text="The care card is always shown near the top of the page. Choose the section where it "
        "belongs too, e.g. ‘Symptoms’, to show it again at the end of that section.",
    )


class Section(NamedTuple):
    """One part of a page: its anchor, its <h2> and what goes under it (sanitised HTML or pages)."""

    anchor: str
    heading: str
    content: object


class PublishableQuerySet(models.QuerySet):
    def published(self):
        """The one rule for what the public may see: the approved version of every live page.

        A published page's rows are its approved version; pending changes wait in PendingChanges
        (see publishing/versions.py). An expired page is off the site from the moment it expires,
        before publish_scheduled records it.
        """
        return self.filter(status=Status.PUBLISHED).exclude(expires_at__lte=timezone.now())

    def listed(self):
        """Published pages with what lists and links show of them: name, address and summary."""
        return self.published().only(*self.model.LISTED_FIELDS)

    def page(self, slug):
        """The page at slug with everything it shows (load_page_content), or DoesNotExist."""
        pages = self.select_related(*self.model.PAGE_RELATED) if self.model.PAGE_RELATED else self
        page = pages.get(slug=slug)
        page.load_page_content()
        return page

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
        fields = (
            *self.model.SEARCH_FIELDS,
            *(name for name, _ in self.model.SECTIONS),
            "urgent_signs",
            "urgent_advice",
        )
        matches = models.Q()
        for word in words:
            any_field = models.Q()
            for field in fields:
                any_field |= models.Q(**{f"{field}__icontains": word})
            matches &= any_field
        return self.published().filter(matches)


class EditCounted(models.Model):
    """A row whose every save counts up, so a form opened at an older count is known to be out of date."""

    edit_count = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        # Restoring a stored version (publishing.versions.restore) puts back its count as it was.
        if not getattr(self, "_restoring", False):
            self.edit_count += 1
        super().save(*args, **kwargs)


class Publishable(EditCounted):
    """What conditions and procedures share: a status, review dates and an expiry."""

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
    expires_at = models.DateTimeField(
        "expires at",
        null=True,
        blank=True,
        help_text="Optional: the moment the page is taken off the public site, e.g. when a service ends.",
    )
    expired = models.BooleanField(default=False, editable=False, help_text="Taken off the site when it expired.")
    # "When to get help urgently": a care card near the top of the page (and again in urgent_section,
    # which each model declares with its own sections). Plain text, shown escaped: no markup to sanitise.
    urgent_signs = models.TextField(
        "signs to get help for",
        blank=True,
        max_length=URGENT_MAX_SIGNS * (URGENT_SIGN_MAX_LENGTH + 2),
        help_text="One sign a line, each finishing the sentence ‘Get help straight away if:’, e.g. ‘you "
        "have new weakness or numbness in your legs’. Leave empty for no card.",
    )
    urgent_advice = models.TextField(
        "what to do",
        blank=True,
        max_length=1000,
        help_text="What to do, and why, in a sentence or two, e.g. ‘Call your cancer team’s 24-hour number or "
        "go to A&E now.’ A blank line starts a new paragraph. The card ends with ‘In an emergency, call …’ "
        "and the department’s emergency number.",
    )
    leaflet_reference = models.CharField(
        max_length=30,
        blank=True,
        validators=[
            RegexValidator(
                r"^[A-Z0-9]+(-[A-Z0-9]+)*$",
                "Use capital letters, digits and single hyphens, e.g. ‘IR-CEM-003’.",
            )
        ],
        help_text="The department's reference for the printed leaflet, shown with its version in every page's "
        "footer, e.g. ‘IR-CEM-003’.",
    )
    pending_changes = GenericRelation("publishing.PendingChanges")

    objects = PublishableQuerySet.as_manager()

    # (rich-text field name, public heading) in page order; set by each model.
    SECTIONS = ()
    # Plain-text fields searched as well as the sections.
    SEARCH_FIELDS = ("name", "summary")
    # The care card's fields, searched too and edited together.
    URGENT_FIELDS = ("urgent_signs", "urgent_advice", "urgent_section")
    # What lists, search results and links to the page show of it.
    LISTED_FIELDS = ("name", "slug", "summary")
    # The page cache tag of the lists of these pages.
    LIST_TAG = ""
    # (name, URL name) of the list of these pages, the breadcrumb above each page.
    LIST_CRUMB = ("", "")
    # What a page shows of the rows it points to, fetched with it (page()).
    PAGE_RELATED = ()

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
            # A card with signs but nothing to do (or the reverse) would leave a frightened reader stuck.
            models.CheckConstraint(
                condition=models.Q(urgent_signs="", urgent_advice="", urgent_section="")
                | (~models.Q(urgent_signs="") & ~models.Q(urgent_advice="")),
                name="%(app_label)s_%(class)s_urgent_help_complete",
                violation_error_message="The ‘When to get help urgently’ card needs both its signs and what to do.",
            ),
        ]

    def save(self, *args, **kwargs):
        if self.is_published and self.first_published_at is None:
            self.first_published_at = timezone.now()
        if self.last_reviewed and not self.next_review_due:
            self.next_review_due = self.last_reviewed + timedelta(days=settings.REVIEW_INTERVAL_DAYS)
        super().save(*args, **kwargs)
        if self.is_published:
            # Printed QR codes and bookmarks keep working: every address a page was public at is kept
            # (publishing/redirects.py). A save inside a rolled-back edit (a pending version) keeps nothing.
            PageAddress.objects.update_or_create(
                content_type=ContentType.objects.get_for_model(self), slug=self.slug, defaults={"object_id": self.pk}
            )

    def clean(self):
        super().clean()
        errors = {}
        signs = urgent_signs(self.urgent_signs)
        if len(signs) > URGENT_MAX_SIGNS:
            errors["urgent_signs"] = f"List at most {URGENT_MAX_SIGNS} signs, so the card stays quick to read."
        elif any(len(sign) > URGENT_SIGN_MAX_LENGTH for sign in signs):
            errors["urgent_signs"] = (
                f"Keep each sign to one line of at most {URGENT_SIGN_MAX_LENGTH} characters; put more detail "
                "under ‘What to do’."
            )
        if signs and not self.urgent_advice.strip():
            errors["urgent_advice"] = "Say what to do when someone has these signs."
        if not signs and (self.urgent_advice.strip() or self.urgent_section):
            errors["urgent_signs"] = "List the signs to get help for, one a line, or empty the rest of the card."
        if errors:
            raise ValidationError(errors)
        # Stored as shown, so the review screen compares what patients will read.
        self.urgent_signs = "\n".join(signs)
        self.urgent_advice = self.urgent_advice.strip()

    def get_admin_url(self, view="change"):
        """The page's admin screen: its form, or "review", "history"…"""
        return reverse(f"admin:{self._meta.app_label}_{self._meta.model_name}_{view}", args=[self.pk])

    @property
    def kind(self):
        """‘condition’ or ‘procedure’, for staff lists that mix both."""
        return self._meta.verbose_name

    @property
    def is_published(self):
        return self.status == Status.PUBLISHED

    @property
    def is_expired(self):
        return self.expired or (self.is_published and self.expires_at is not None and self.expires_at <= timezone.now())

    @property
    def is_public(self):
        """Whether patients can read the page now: what published() selects."""
        return self.is_published and not self.is_expired

    # Which cached public pages show this page (publishing/page_cache.py).

    def own_pages(self):
        """The page cache tags of this page's own address and of the sitemap, which dates it, while it is public."""
        return {*page_cache.pages_of(self), page_cache.SITEMAP_TAG} if self.is_public else set()

    def pages_showing(self):
        """The page cache tags of every page showing this one: its own, its list and the pages linking to it."""
        if not self.is_public:
            return set()
        return {*self.own_pages(), self.LIST_TAG, *page_cache.pages_of(*self.linking_pages())}

    def pages_changed_from(self, before):
        """The tags of the pages a save changes: beyond its own page only if what lists and links show changed."""
        if before is not None and before.is_public and self.is_public and before.listing() == self.listing():
            return self.own_pages()
        return (before.pages_showing() if before is not None else set()) | self.pages_showing()

    def listing(self):
        """What lists and links to this page show of it."""
        return tuple(getattr(self, name) for name in self.LISTED_FIELDS)

    def linking_pages(self):
        """Pages of any status that link to this one (only slugs are needed); each model says which."""
        return []

    def load_page_content(self):
        """Fetch what the page shows besides its own row, in a fixed number of queries; each model adds its own.

        Plain queries rather than prefetch_related(), which costs a public page about a millisecond more.
        """

    def version_parts(self):
        """The rows shown on this page and approved with it, besides the page itself; each model adds its own."""
        return []

    def pending(self):
        """This page's PendingChanges row, or None."""
        return self.pending_changes.first()

    def approved_versions(self):
        """Every version of this page a clinical reviewer approved, newest first (scheduled ones included)."""
        return ApprovedVersion.objects.for_page(self)

    def live_version(self):
        """The approved version patients read now, or None if the page is not on the public site."""
        if not self.is_published or self.is_expired:
            return None
        return self.approved_versions().filter(went_live_at__isnull=False).first()

    def scheduled_version(self):
        """An approved version waiting for its go-live time, or None."""
        return self.approved_versions().filter(went_live_at__isnull=True).first()

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

    def urgent_help(self):
        """The page's "When to get help urgently" card, or None when it has none."""
        signs = urgent_signs(self.urgent_signs)
        if not signs:
            return None
        advice = [" ".join(part.split()) for part in self.urgent_advice.split("\n\n") if part.strip()]
        shown_again = self.urgent_section and self.section_has_content(self.urgent_section)
        section = self.urgent_section.replace("_", "-") if shown_again else ""
        return UrgentHelp(signs, advice, section, settings.EMERGENCY_NUMBER)

    def breadcrumbs(self):
        """(name, address) of each page above this one, and this one: Home › its list › … › the page."""
        name, viewname = self.LIST_CRUMB
        return [
            ("Home", address("home")),
            (name, address(viewname)),
            *self.crumbs_above(),
            (self.name, self.get_absolute_url()),
        ]

    def crumbs_above(self):
        """Pages between the list and this one (a procedure's parent); none by default."""
        return []


def publishable_models():
    """Every concrete model with a status and review dates: conditions and procedures."""
    return [model for model in apps.get_models() if issubclass(model, Publishable)]


def pages_due_for_review(models):
    """(overdue, due soon): published pages of the given models, each list soonest due first."""

    def gather(method):
        pages = [page for model in models for page in getattr(model.objects, method)()]
        return sorted(pages, key=lambda page: (page.next_review_due, str(page)))

    return gather("review_overdue"), gather("review_due_soon")


def page_key(page):
    """The generic key of a page in the publishing tables."""
    return {"content_type": ContentType.objects.get_for_model(page), "object_id": page.pk}


class PageQuerySet(models.QuerySet):
    def for_page(self, page):
        return self.filter(**page_key(page))


class PageRecord(models.Model):
    """Something kept about one condition or procedure page (a generic key: both kinds share the tables)."""

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveIntegerField()

    objects = PageQuerySet.as_manager()

    class Meta:
        abstract = True

    @property
    def page(self):
        return self.content_type.get_object_for_this_type(pk=self.object_id)


class PendingChanges(PageRecord):
    """A page's unapproved work: the pending version of a published page, and its review request.

    For a published page, `data` holds the pending version (a snapshot, see publishing.versions).
    An unpublished page's own rows are its draft, so `data` stays empty and only the review
    request and any comment sending it back are kept here.
    """

    data = models.TextField(blank=True)
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    edited_at = models.DateTimeField(null=True, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    requested_at = models.DateTimeField(null=True, blank=True)
    sent_back_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    sent_back_at = models.DateTimeField(null=True, blank=True)
    sent_back_comment = models.TextField(blank=True)

    class Meta:
        verbose_name_plural = "pending changes"
        constraints = [
            models.UniqueConstraint(fields=["content_type", "object_id"], name="%(app_label)s_%(class)s_one_per_page"),
        ]

    def __str__(self):
        return f"Pending changes to {self.content_type.name} {self.object_id}"

    @property
    def in_review(self):
        return self.requested_at is not None


def leaflet_name(version, filename):
    # A random name: media storage is served as it is, and a past version's leaflet is for staff only.
    return f"leaflets/{timezone.now():%Y}/{secrets.token_urlsafe(16)}.pdf"


class ApprovedVersion(PageRecord):
    """One version of a page as a clinical reviewer approved it, kept for good (leaflets cite its number).

    Kept when the page is deleted, so the department can always say what a patient was given.
    """

    number = models.PositiveIntegerField()
    data = models.TextField(help_text="The page and its parts as approved (publishing.versions.snapshot).")
    title = models.CharField(max_length=200)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(default=timezone.now)
    go_live_at = models.DateTimeField(null=True, blank=True, help_text="Set when the approval was scheduled.")
    went_live_at = models.DateTimeField(null=True, blank=True)
    last_reviewed = models.DateField()
    reviewed_by = models.CharField(max_length=200)
    comment = models.TextField(blank=True)
    leaflet = models.FileField(
        upload_to=leaflet_name,
        blank=True,
        editable=False,
        help_text="The printable leaflet of this version, made once (publishing/leaflets.py) and kept.",
    )
    leaflet_made_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-number"]
        get_latest_by = "number"
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id", "number"], name="%(app_label)s_%(class)s_unique_number"
            ),
        ]

    def __str__(self):
        return f"{self.title} v{self.number}"

    @property
    def leaflet_footer(self):
        """What every page of its leaflet says of this version, e.g. ‘IR-CEM-003 v4, approved 2026-12-03’."""
        approved = f"approved {timezone.localdate(self.approved_at):%Y-%m-%d}"
        reference = self.page_fields().get("leaflet_reference")
        return f"{reference} v{self.number}, {approved}" if reference else f"Version {self.number}, {approved}"

    def page_fields(self):
        """The page's own fields as approved in this version."""
        model = f"{self.content_type.app_label}.{self.content_type.model}"
        page = (obj for obj in json.loads(self.data) if obj["model"] == model and obj["pk"] == self.object_id)
        return next(page, {"fields": {}})["fields"]

    @property
    def is_scheduled(self):
        return self.went_live_at is None


class ReviewEvent(PageRecord):
    """A step in a page's review, for its history: who did what, when, and what they said."""

    class Action(models.TextChoices):
        REQUESTED = "requested", "Sent for review"
        SENT_BACK = "sent_back", "Sent back"
        APPROVED = "approved", "Approved"
        SCHEDULED = "scheduled", "Approved, scheduled"
        WENT_LIVE = "went_live", "Went live as scheduled"
        UNSCHEDULED = "unscheduled", "Schedule cancelled"
        UNPUBLISHED = "unpublished", "Unpublished"
        EXPIRED = "expired", "Expired"
        CONSENT_WITHDRAWN = "consent_withdrawn", "Consent withdrawn"

    action = models.CharField(max_length=20, choices=Action)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    at = models.DateTimeField(default=timezone.now)
    comment = models.TextField(blank=True)
    version_number = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self):
        return f"{self.get_action_display()} ({self.at:%Y-%m-%d %H:%M})"

    @classmethod
    def record(cls, page, action, user=None, **details):
        return cls.objects.create(**page_key(page), action=action, user=user, **details)


class PageAddress(PageRecord):
    """An address a page has been public at, so its old addresses redirect and a deleted page's says so."""

    slug = models.SlugField()

    class Meta:
        verbose_name_plural = "page addresses"
        constraints = [
            models.UniqueConstraint(fields=["content_type", "slug"], name="%(app_label)s_%(class)s_unique_slug"),
        ]

    def __str__(self):
        return self.slug
