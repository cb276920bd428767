import reversion
from django.db import models
from django.db.models import Prefetch
from django.urls import reverse

from procedures.models import ImagingModality, Procedure
from publishing.fields import RichTextField
from publishing.models import Publishable, PublishableQuerySet


class ConditionQuerySet(PublishableQuerySet):
    def with_page_content(self):
        """Conditions with everything their page shows, in a fixed number of queries."""
        return self.prefetch_related(
            Prefetch(
                "condition_procedures",
                queryset=ConditionProcedure.objects.filter(procedure__in=Procedure.objects.published())
                .select_related("procedure")
                .order_by("order", "procedure__name"),
                to_attr="published_procedure_links",
            ),
            Prefetch(
                "case_studies",
                queryset=CaseStudy.objects.consented().select_related("procedure"),
                to_attr="public_case_studies",
            ),
            Prefetch(
                "public_case_studies__images",
                queryset=CaseImage.objects.select_related("modality"),
            ),
        )


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

    objects = ConditionQuerySet.as_manager()

    SEARCH_FIELDS = ("name", "summary", "also_known_as")
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

    class Meta(Publishable.Meta):
        ordering = ["name"]
        permissions = [("publish_condition", "Can publish and unpublish conditions and set their review dates")]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("conditions:detail", kwargs={"slug": self.slug})

    def section_has_content(self, name):
        # Treatments also lists linked procedures and case studies (prefetched by with_page_content()).
        if name == "treatments" and (
            getattr(self, "published_procedure_links", None) or getattr(self, "public_case_studies", None)
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


class CaseStudyQuerySet(models.QuerySet):
    def consented(self):
        """Case studies a condition's page may show: the patient's consent is recorded."""
        return self.filter(consent_recorded=True)


# A case study's revisions include its images, which are edited on the same admin page.
@reversion.register(follow=["images"])
class CaseStudy(models.Model):
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
        default=False,
        help_text="Tick only when the patient's written consent to publish these images is on record. "
        "Cases without it are never shown to the public.",
    )
    order = models.PositiveIntegerField(default=0)

    objects = CaseStudyQuerySet.as_manager()

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


class Stage(models.TextChoices):
    BEFORE = "before", "Before treatment"
    DURING = "during", "During treatment"
    AFTER = "after", "After treatment"
    FOLLOW_UP = "follow_up", "Follow-up"


@reversion.register()
class CaseImage(models.Model):
    case_study = models.ForeignKey(CaseStudy, on_delete=models.CASCADE, related_name="images")
    image = models.ImageField(upload_to="cases/%Y/", width_field="width", height_field="height")
    # Stored with the image so pages can reserve its space before it loads.
    width = models.PositiveIntegerField(null=True, editable=False)
    height = models.PositiveIntegerField(null=True, editable=False)
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

    class Meta:
        ordering = ["order", "label"]
        constraints = [
            models.UniqueConstraint(fields=["case_study", "label"], name="%(app_label)s_%(class)s_unique_label"),
            models.CheckConstraint(condition=~models.Q(alt_text=""), name="%(app_label)s_%(class)s_alt_text_required"),
        ]

    def __str__(self):
        return f"{self.label}: {self.caption}"
