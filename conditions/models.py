from operator import attrgetter

import reversion
from django.conf import settings
from django.db import models, transaction
from django.db.models.signals import post_delete
from django.dispatch import receiver
from django.utils.functional import cached_property

from procedures.models import ImagingModality, Procedure
from publishing import page_cache
from publishing.addresses import address
from publishing.fields import RichTextField
from publishing.models import EditCounted, Publishable, PublishableQuerySet, urgent_section_field
from publishing.sanitise import linked_paths

from . import images
from .fields import CaseImageField


def in_model_order(queryset):
    """The rows of queryset, sorted in Python as its model's Meta.ordering would have the database sort them.

    For the few case studies and images of one page: Django builds an ORDER BY clause afresh for every
    query, which cost as much as the rest of these small queries, and more than sorting a handful of rows.
    """
    ordering = queryset.model._meta.ordering
    assert all(isinstance(name, str) and not name.startswith(("-", "?")) and "__" not in name for name in ordering)
    return sorted(queryset.order_by(), key=attrgetter(*ordering))


# A condition's revisions include its treatment links, which are edited on the same admin page.
@reversion.register(follow=["condition_procedures"])
class Condition(Publishable):
    name = models.CharField(max_length=200, help_text="The name patients will know, e.g. ‘Bone pain from cancer’.")
    slug = models.SlugField(unique=True, help_text="The last part of the page address, e.g. ‘bone-pain-from-cancer’.")
    summary = models.CharField(
        max_length=300,
        help_text="Shown under the title and in search results, "
        "e.g. ‘Pain caused by cancer that has spread to the bones.’",
    )
    also_known_as = models.CharField(
        max_length=300,
        blank=True,
        help_text="Other names people search for, separated by commas, e.g. ‘bone metastases, secondary bone cancer’.",
    )
    what_it_is = RichTextField("What it is")
    symptoms = RichTextField()
    prevention = RichTextField("How to prevent it")
    causes = RichTextField("Causes and risk factors")
    diagnosis = RichTextField()
    treatments = RichTextField()
    preparation = RichTextField("Preparing for the procedure")
    aftercare = RichTextField("After the procedure")
    other_information = RichTextField("Other information")
    procedures = models.ManyToManyField(Procedure, through="ConditionProcedure", blank=True, related_name="conditions")

    objects = PublishableQuerySet.as_manager()

    LIST_TAG = "list:conditions"
    LIST_CRUMB = ("Conditions", "conditions:index")

    SEARCH_FIELDS = ("name", "summary", "also_known_as")
    LISTED_FIELDS = ("name", "slug", "summary", "also_known_as")
    SECTIONS = (
        ("what_it_is", "What it is"),
        ("symptoms", "Symptoms"),
        ("prevention", "How to prevent it"),
        ("causes", "Causes and risk factors"),
        ("diagnosis", "Diagnosis"),
        ("treatments", "Treatments"),
        ("preparation", "Preparing for the procedure"),
        ("aftercare", "After the procedure"),
        ("other_information", "Other information"),
    )
    # Declared here, after SECTIONS, because its choices are this page's sections.
    urgent_section = urgent_section_field(SECTIONS)
    # Needed to publish, or to restore a revision holding, a condition (publishing.admin).
    PUBLISH_PERMISSION = "conditions.publish_condition"

    class Meta(Publishable.Meta):
        ordering = ["name"]
        permissions = [("publish_condition", "Can publish and unpublish conditions and set their review dates")]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return address("conditions:detail", slug=self.slug)

    def linking_pages(self):
        # Procedure pages list the conditions they treat.
        return Procedure.objects.filter(condition_procedures__condition=self).only("slug")

    def load_page_content(self):
        """Its published treatments, and its consented case studies with their images: three queries."""
        self.published_procedures = list(
            Procedure.objects.listed()
            .filter(condition_procedures__condition=self)
            .order_by("condition_procedures__order", "name")
        )
        # Of a case's procedure, only what its "Read more" link needs.
        linked = (*Procedure.LISTED_FIELDS, "status", "expires_at", "expired")
        cases = (
            CaseStudy.objects.consented()
            .filter(condition=self)
            .select_related("procedure")
            .only("title", "summary", "outcome", "order", *(f"procedure__{name}" for name in linked))
        )
        self.public_case_studies = in_model_order(cases)
        images = {case.pk: [] for case in self.public_case_studies}
        if images:
            shown = CaseImage.objects.filter(case_study_id__in=images).select_related("modality")
            for image in in_model_order(shown):
                images[image.case_study_id].append(image)
        for case in self.public_case_studies:
            case.images_shown = images[case.pk]

    def treatments_to_list(self):
        """The published treatments to list under Treatments: those its text does not already link to.

        The text explains each treatment it links to, so a list entry for it would only repeat the link.
        """
        linked = linked_paths(self.treatments, settings.SITE_URL)
        return [procedure for procedure in self.published_procedures if procedure.get_absolute_url() not in linked]

    def schema_about(self, absolute):
        """What the page is about, as schema.org describes a condition (publishing.structured_data)."""
        about = {"@type": "MedicalCondition", "name": self.name, "description": self.summary}
        if names := [name.strip() for name in self.also_known_as.split(",") if name.strip()]:
            about["alternateName"] = names
        if procedures := getattr(self, "published_procedures", None):
            about["possibleTreatment"] = [
                {"@type": "MedicalProcedure", "name": procedure.name, "url": absolute(procedure.get_absolute_url())}
                for procedure in procedures
            ]
        return about

    def version_parts(self):
        """Treatment links, case studies and their images: what the page shows and a reviewer approves with it."""
        cases = list(self.case_studies.order_by("pk"))
        images = CaseImage.objects.filter(case_study__in=cases).order_by("pk")
        return [*self.condition_procedures.order_by("pk"), *cases, *images]

    def section_has_content(self, name):
        # Treatments also lists linked procedures and case studies (fetched by load_page_content()).
        if name == "treatments" and (
            getattr(self, "published_procedures", None) or getattr(self, "public_case_studies", None)
        ):
            return True
        return super().section_has_content(name)


@reversion.register()
class ConditionProcedure(models.Model):
    condition = models.ForeignKey(Condition, on_delete=models.CASCADE, related_name="condition_procedures")
    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="condition_procedures")
    order = models.PositiveIntegerField(default=0, help_text="Treatments are listed from the lowest number up.")

    class Meta:
        ordering = ["order"]
        verbose_name = "treatment"
        constraints = [
            models.UniqueConstraint(fields=["condition", "procedure"], name="%(app_label)s_%(class)s_unique_procedure"),
        ]

    def __str__(self):
        return f"{self.condition} – {self.procedure}"

    def pages_showing(self):
        """The condition's page lists the procedure, whose page lists the condition."""
        return page_cache.pages_of(self.condition, self.procedure)


class CaseStudyQuerySet(models.QuerySet):
    def consented(self):
        """Case studies a condition's page may show: the patient's consent is recorded."""
        return self.filter(consent_recorded=True)


# A case study's revisions include its images, which are edited on the same admin page.
@reversion.register(follow=["images"])
class CaseStudy(EditCounted):
    condition = models.ForeignKey(Condition, on_delete=models.CASCADE, related_name="case_studies")
    procedure = models.ForeignKey(
        Procedure,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="case_studies",
        help_text="The treatment the case shows, if any.",
    )
    title = models.CharField(max_length=200, help_text="e.g. ‘Cryoablation of a tumour in the lower spine’.")
    summary = models.TextField(
        help_text="Who the patient was, in words that cannot identify them, "
        "e.g. ‘A man in his 60s whose kidney cancer had spread to his lower spine.’"
    )
    outcome = models.TextField(blank=True, help_text="What happened afterwards, e.g. ‘His pain eased.’")
    consent_recorded = models.BooleanField(
        "consent recorded",
        default=False,
        help_text="Tick only when the patient (or someone legally able to act for them) has given written "
        "consent for these images and this description to be published on this public website, and the "
        "signed form is filed in their record. Consent to treatment, or to use in teaching, is not enough. "
        "The case is shown to the public only while this is ticked: untick it at once if consent is withdrawn.",
    )
    order = models.PositiveIntegerField(default=0)

    objects = CaseStudyQuerySet.as_manager()

    # Consent makes a case public, so recording it (or restoring a case) is a clinical reviewer's call.
    PUBLISH_PERMISSION = Condition.PUBLISH_PERMISSION
    # Unticking consent takes a case off a published page at once, without waiting for approval.
    TAKE_DOWN_VALUES = {"consent_recorded": False}

    class Meta:
        ordering = ["order", "pk"]
        verbose_name_plural = "case studies"
        constraints = [
            models.UniqueConstraint(fields=["condition", "title"], name="%(app_label)s_%(class)s_unique_title"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return self.condition.get_absolute_url() + f"#case-{self.pk}"

    def pages_showing(self):
        return page_cache.pages_of(self.condition)


class Stage(models.TextChoices):
    BEFORE = "before", "Before treatment"
    DURING = "during", "During treatment"
    AFTER = "after", "After treatment"
    FOLLOW_UP = "follow_up", "Follow-up"


# The media storage folder holding case images and their renditions, and nothing else.
UPLOADS_FOLDER = "cases"


class CaseImageQuerySet(models.QuerySet):
    def public(self):
        """Images of consented case studies; their condition's page must also be published() to show them."""
        return self.filter(case_study__in=CaseStudy.objects.consented().values("pk"))


@reversion.register()
class CaseImage(models.Model):
    case_study = models.ForeignKey(CaseStudy, on_delete=models.CASCADE, related_name="images")
    image = CaseImageField(
        upload_to=f"{UPLOADS_FOLDER}/%Y/",
        width_field="width",
        height_field="height",
        renditions_field="renditions",
        help_text="A JPEG, PNG or WebP image with nothing in it that identifies the patient. "
        "DICOM files must be exported as de-identified JPEG or PNG first. The site keeps only the "
        "pixels: hidden details such as location, dates and camera serial numbers are removed.",
    )
    # Stored with the image so pages can reserve its space before it loads; set when the image is
    # saved, so these fields must come after it.
    width = models.PositiveIntegerField(null=True, editable=False)
    height = models.PositiveIntegerField(null=True, editable=False)
    # Widths of the WebP renditions made when the image was saved (see conditions/images.py).
    renditions = models.JSONField(default=list, editable=False)
    label = models.CharField(max_length=3, help_text="The letter the caption refers to, e.g. ‘A’.")
    stage = models.CharField(max_length=20, choices=Stage)
    modality = models.ForeignKey(ImagingModality, on_delete=models.PROTECT, null=True, blank=True)
    caption = models.CharField(
        max_length=300, help_text="Shown under the image, e.g. ‘CT scan before treatment showing the tumour (*).’"
    )
    alt_text = models.CharField(
        "alternative text",
        max_length=300,
        help_text="Describe what the image shows for people who cannot see it.",
    )
    order = models.PositiveIntegerField(default=0)

    objects = CaseImageQuerySet.as_manager()

    class Meta:
        ordering = ["order", "label"]
        constraints = [
            models.UniqueConstraint(fields=["case_study", "label"], name="%(app_label)s_%(class)s_unique_label"),
            models.CheckConstraint(condition=~models.Q(alt_text=""), name="%(app_label)s_%(class)s_alt_text_required"),
        ]

    def __str__(self):
        return f"{self.label}: {self.caption}"

    def save(self, *args, **kwargs):
        replaced = CaseImage.objects.filter(pk=self.pk).exclude(image=self.image.name).first() if self.pk else None
        super().save(*args, **kwargs)
        if replaced:
            delete_files_on_commit(replaced)

    def pages_showing(self):
        return page_cache.pages_of(*Condition.objects.filter(case_studies=self.case_study_id).only("slug"))

    @cached_property
    def rendition_urls(self):
        """(url, width) of each rendition, narrowest first; the page asks for them twice (src and srcset)."""
        storage = self.image.storage
        return [(storage.url(images.rendition_name(self.image.name, width)), width) for width in self.renditions]

    @property
    def srcset(self):
        return ", ".join(f"{url} {width}w" for url, width in self.rendition_urls)

    @property
    def largest(self):
        """(url, width, height) of the largest size the page links to: the widest rendition, else the original."""
        if not self.rendition_urls or not self.width:
            return self.image.url, self.width, self.height
        url, width = self.rendition_urls[-1]
        return url, width, round(self.height * width / self.width)

    @property
    def src(self):
        """The rendition browsers without srcset get: the widest up to 960 pixels, else the original."""
        fitting = [url for url, width in self.rendition_urls if width <= 960]
        return fitting[-1] if fitting else self.image.url


def delete_files_on_commit(case_image):
    """Delete an image's file and renditions once the database no longer points at them."""
    # Robust: a failure here (storage down) must not stop the hooks after it, which keep the files
    # of new uploads committed alongside (publishing/uploads.py).
    transaction.on_commit(lambda: case_image.image.delete(save=False), robust=True)


# A picture that was replaced or deleted (consent withdrawn, wrong patient) must not stay reachable
# at its address. A signal, because deleting a case study deletes its images without calling delete().
@receiver(post_delete, sender=CaseImage)
def delete_case_image_files(sender, instance, **kwargs):
    delete_files_on_commit(instance)
