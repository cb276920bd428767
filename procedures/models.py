import reversion
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Prefetch

from publishing import page_cache
from publishing.addresses import address
from publishing.fields import RichTextField
from publishing.models import EditCounted, Publishable, PublishableQuerySet, Section, urgent_section_field


class Sedation(models.TextChoices):
    NONE = "none", "None"
    LOCAL = "local", "Local anaesthetic"
    CONSCIOUS = "conscious", "Conscious sedation"
    GENERAL = "general", "General anaesthetic"


class TypicalStay(models.TextChoices):
    DAY_CASE = "day_case", "Day case (home the same day)"
    OVERNIGHT = "overnight", "One night in hospital"
    ONE_TO_TWO_NIGHTS = "one_to_two_nights", "One to two nights in hospital"
    LONGER = "longer", "Longer than two nights"


@reversion.register()
class ImagingModality(models.Model):
    name = models.CharField(max_length=100, unique=True, help_text="e.g. ‘CT’ or ‘X-ray (fluoroscopy)’.")
    slug = models.SlugField(unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "imaging modalities"

    def __str__(self):
        return self.name

    def pages_showing(self):
        """Procedure pages naming this image guidance, and condition pages with case images taken with it."""
        from conditions.models import Condition

        conditions = Condition.objects.filter(case_studies__images__modality=self).distinct().only("slug")
        return page_cache.pages_of(*self.procedure_set.only("slug"), *conditions)


class ProcedureCategoryQuerySet(models.QuerySet):
    def with_published_procedures(self):
        """Categories that have published procedures, each with them in `published_procedures`."""
        return (
            self.filter(procedures__in=Procedure.objects.published())
            .distinct()
            .prefetch_related(
                Prefetch(
                    "procedures",
                    queryset=Procedure.objects.listed().only("category_id", *Procedure.LISTED_FIELDS).order_by("name"),
                    to_attr="published_procedures",
                )
            )
        )


@reversion.register()
class ProcedureCategory(EditCounted):
    name = models.CharField(max_length=100, unique=True, help_text="e.g. ‘Nerve block and ablation’.")
    slug = models.SlugField(unique=True)
    order = models.PositiveIntegerField(default=0, help_text="Categories are listed from the lowest number up.")
    summary = models.CharField(
        max_length=300,
        blank=True,
        help_text="One sentence shown under the category on the procedures page, "
        "e.g. ‘Injections that calm or switch off nerves carrying pain.’",
    )

    objects = ProcedureCategoryQuerySet.as_manager()

    class Meta:
        ordering = ["order", "name"]
        verbose_name_plural = "procedure categories"

    def __str__(self):
        return self.name

    def pages_showing(self):
        """The lists of procedures, which group them by category, and the pages of its procedures."""
        procedures = self.procedures.only("slug") if self.pk else []
        return {Procedure.LIST_TAG, *page_cache.pages_of(*procedures)}


@reversion.register()
class Procedure(Publishable):
    name = models.CharField(max_length=200, help_text="The name patients will know, e.g. ‘Vertebroplasty’.")
    slug = models.SlugField(unique=True, help_text="The last part of the page address, e.g. ‘vertebroplasty’.")
    category = models.ForeignKey(ProcedureCategory, on_delete=models.PROTECT, related_name="procedures")
    parent = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="variants",
        help_text="If this is a kind of another procedure, choose it, e.g. vertebroplasty is a kind of cementoplasty.",
    )
    summary = models.CharField(
        max_length=300,
        help_text="One or two plain sentences shown in lists and search results, "
        "e.g. ‘Bone cement is injected into a weakened bone to strengthen it and ease pain.’",
    )
    what_it_is = RichTextField("What it is")
    how_it_is_done = RichTextField("How it is done")
    benefits = RichTextField()
    risks = RichTextField()
    preparation = RichTextField("Preparing for the procedure")
    aftercare = RichTextField("After the procedure")
    imaging_guidance = models.ManyToManyField(
        ImagingModality, blank=True, help_text="The imaging used to guide the needle."
    )
    sedation = models.CharField(max_length=20, choices=Sedation, blank=True)
    typical_stay = models.CharField(max_length=20, choices=TypicalStay, blank=True)
    related = models.ManyToManyField(
        "self",
        blank=True,
        help_text="Procedures this is often combined with, e.g. ablation with cementoplasty.",
    )

    objects = PublishableQuerySet.as_manager()

    LIST_TAG = "list:procedures"
    LIST_CRUMB = ("Procedures", "procedures:index")
    PAGE_RELATED = ("category",)

    SECTIONS = (
        ("what_it_is", "What it is"),
        ("how_it_is_done", "How it is done"),
        ("benefits", "Benefits"),
        ("risks", "Risks"),
        ("preparation", "Preparing for the procedure"),
        ("aftercare", "After the procedure"),
    )
    # Declared here, after SECTIONS, because its choices are this page's sections.
    urgent_section = urgent_section_field(SECTIONS)
    # Needed to publish, or to restore a revision holding, a procedure (publishing.admin).
    PUBLISH_PERMISSION = "procedures.publish_procedure"

    class Meta(Publishable.Meta):
        ordering = ["name"]
        permissions = [("publish_procedure", "Can publish and unpublish procedures and set their review dates")]
        constraints = [
            *Publishable.Meta.constraints,
            models.CheckConstraint(
                condition=~models.Q(parent=models.F("pk")),
                name="%(app_label)s_%(class)s_not_own_parent",
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return address("procedures:detail", slug=self.slug)

    def listing(self):
        # Lists group procedures by category, and a parent's page lists its kinds.
        return (*super().listing(), self.category_id, self.parent_id)

    def linking_pages(self):
        from conditions.models import Condition

        conditions = Condition.objects.filter(
            models.Q(condition_procedures__procedure=self) | models.Q(case_studies__procedure=self)
        )
        procedures = Procedure.objects.filter(models.Q(related=self) | models.Q(parent=self) | models.Q(variants=self))
        return [*conditions.distinct().only("slug"), *procedures.distinct().only("slug")]

    def load_page_content(self):
        """Its image guidance, and the published pages it links to: four or five queries."""
        from conditions.models import Condition

        listed = Procedure.objects.listed().order_by("name")
        self.published_parent = listed.filter(pk=self.parent_id).first() if self.parent_id else None
        self.imaging_guidance_shown = list(self.imaging_guidance.all())
        self.published_variants = list(listed.filter(parent=self))
        self.published_related = list(listed.filter(related=self))
        self.published_conditions = list(Condition.objects.listed().filter(procedures=self).order_by("name"))

    def crumbs_above(self):
        # A kind of another procedure sits under it: Procedures › Cementoplasty › Vertebroplasty.
        parent = getattr(self, "published_parent", None)
        return [(parent.name, parent.get_absolute_url())] if parent else []

    def schema_about(self, absolute):
        """What the page is about, as schema.org describes a procedure (publishing.structured_data)."""
        return {"@type": "MedicalProcedure", "name": self.name, "description": self.summary}

    def clean(self):
        super().clean()
        ancestor, seen = self.parent, {self.pk}
        while ancestor is not None:
            if ancestor.pk in seen:
                raise ValidationError({"parent": "A procedure cannot be a kind of itself, directly or through others."})
            seen.add(ancestor.pk)
            ancestor = ancestor.parent

    def linked_page_sections(self):
        """The lists of other pages this page links to, each a Section whose body is its pages.

        They come from load_page_content(); an empty list is left out, like an empty section.
        """
        lists = [
            ("types", f"Types of {self.name.lower()}", getattr(self, "published_variants", [])),
            ("combined", "Often combined with", getattr(self, "published_related", [])),
            ("conditions", "Conditions it treats", getattr(self, "published_conditions", [])),
        ]
        return [Section(anchor, heading, pages) for anchor, heading, pages in lists if pages]
