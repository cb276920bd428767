"""`manage.py load_demo`: load (or refresh) the demo content from radiology_site/demo/content.py.

Safe to run as often as you like. Objects are found again by their slugs, the case study by its
condition and title, and case images by their case study and label, so nothing is duplicated
and edits to content.py overwrite the demo objects' fields. Case images are drawn only when an
image has no file yet (or its file or a rendition has gone missing), so re-runs do not pile up
files in MEDIA_ROOT; pass --redraw-images to replace them after changing the drawings. Drawings
are saved like any upload: checked, re-encoded under a random name, with their renditions.
"""

from django.core.files.base import ContentFile
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction

from conditions.models import CaseImage, CaseStudy, Condition, ConditionProcedure
from procedures.models import ImagingModality, Procedure, ProcedureCategory
from publishing import workflow
from radiology_site.demo import content
from radiology_site.demo.images import draw_case_image

PROCEDURE_FIELDS = (
    "name",
    "summary",
    "sedation",
    "typical_stay",
    *(name for name, _ in Procedure.SECTIONS),
)
CONDITION_FIELDS = ("name", "summary", "also_known_as", *(name for name, _ in Condition.SECTIONS))
CASE_STUDY_FIELDS = ("summary", "outcome", "consent_recorded", "order")
CASE_IMAGE_FIELDS = ("stage", "order", "caption", "alt_text")


class Command(BaseCommand):
    help = "Load the demo condition, procedures and case study, or refresh them if they are already there."

    def add_arguments(self, parser):
        parser.add_argument(
            "--redraw-images",
            action="store_true",
            help="Draw the case images again even if their files exist, replacing the old files.",
        )

    def handle(self, *args, **options):
        loader = DemoLoader(redraw_images=options["redraw_images"])
        try:
            with transaction.atomic():
                loader.load()
        except BaseException:
            # The database rolled back; do not leave the files drawn for it behind.
            loader.delete_new_files()
            raise
        # Give each demo object a first revision, so staff can compare with it and revert to it.
        # Objects that already have revisions are left alone.
        call_command(
            "createinitialrevisions", "conditions", "procedures", comment="Loaded from the demo content.", verbosity=0
        )
        # The demo pages are published: what patients read must be an approved version.
        demo_pages = [
            *Procedure.objects.filter(slug__in=[data["slug"] for data in content.PROCEDURES]),
            *Condition.objects.filter(slug=content.CONDITION["slug"]),
        ]
        for page in demo_pages:
            workflow.record_imported(page, "Loaded from the demo content.")
        self.stdout.write(self.style.SUCCESS(loader.summary()))


class DemoLoader:
    def __init__(self, redraw_images=False):
        self.redraw_images = redraw_images
        self.created = 0
        self.updated = 0
        self.new_files = []
        self.counts = {}

    def load(self):
        modalities = self.load_modalities()
        categories = self.load_categories()
        procedures = self.load_procedures(categories, modalities)
        self.link_related(procedures)
        condition = self.load_condition(procedures)
        self.load_case_study(condition, procedures, modalities)

    def upsert(self, model, defaults, **lookup):
        instance, created = model.objects.update_or_create(defaults=defaults, **lookup)
        if created:
            self.created += 1
        else:
            self.updated += 1
        return instance

    def load_modalities(self):
        modalities = {
            data["slug"]: self.upsert(ImagingModality, {"name": data["name"]}, slug=data["slug"])
            for data in content.MODALITIES
        }
        self.counts["imaging modalities"] = len(modalities)
        return modalities

    def load_categories(self):
        categories = {
            data["slug"]: self.upsert(
                ProcedureCategory,
                {field: data[field] for field in ("name", "order", "summary")},
                slug=data["slug"],
            )
            for data in content.CATEGORIES
        }
        self.counts["categories"] = len(categories)
        return categories

    def load_procedures(self, categories, modalities):
        procedures = {}
        for data in content.PROCEDURES:
            defaults = {field: data[field] for field in PROCEDURE_FIELDS}
            defaults.update(content.REVIEW)
            defaults["category"] = categories[data["category"]]
            defaults["parent"] = procedures[data["parent"]] if data["parent"] else None
            defaults["leaflet_reference"] = content.LEAFLET_REFERENCES[data["slug"]]
            procedure = self.upsert(Procedure, defaults, slug=data["slug"])
            procedure.imaging_guidance.set([modalities[slug] for slug in data["imaging_guidance"]])
            procedures[data["slug"]] = procedure
        self.counts["procedures"] = len(procedures)
        return procedures

    def link_related(self, procedures):
        """Make "often combined with" between demo procedures exactly as listed; keep staff links to others."""
        wanted = {slug: set() for slug in procedures}
        for first, second in content.RELATED:
            wanted[first].add(second)
            wanted[second].add(first)
        for slug, procedure in procedures.items():
            others = list(procedure.related.exclude(slug__in=procedures))
            procedure.related.set([*others, *(procedures[related] for related in sorted(wanted[slug]))])

    def load_condition(self, procedures):
        data = content.CONDITION
        defaults = {field: data[field] for field in CONDITION_FIELDS}
        defaults.update(content.REVIEW)
        defaults["leaflet_reference"] = content.LEAFLET_REFERENCES[data["slug"]]
        condition = self.upsert(Condition, defaults, slug=data["slug"])
        for order, slug in enumerate(content.CONDITION_PROCEDURES, start=1):
            self.upsert(ConditionProcedure, {"order": order}, condition=condition, procedure=procedures[slug])
        self.counts["condition"] = 1
        return condition

    def load_case_study(self, condition, procedures, modalities):
        data = content.CASE_STUDY
        defaults = {field: data[field] for field in CASE_STUDY_FIELDS}
        defaults["procedure"] = procedures[data["procedure"]] if data["procedure"] else None
        case = self.upsert(CaseStudy, defaults, condition=condition, title=data["title"])
        labels = [image["label"] for image in data["images"]]
        for leftover in case.images.exclude(label__in=labels):
            leftover.delete()  # its files go once the transaction commits
        self.counts["drawn"] = 0
        for image_data in data["images"]:
            defaults = {field: image_data[field] for field in CASE_IMAGE_FIELDS}
            defaults["modality"] = modalities[image_data["modality"]] if image_data["modality"] else None
            image = self.upsert(CaseImage, defaults, case_study=case, label=image_data["label"])
            if self.redraw_images or not image.image.all_files_exist():
                self.draw(image, image_data)
        self.counts["case study"] = 1
        self.counts["case images"] = len(labels)

    def draw(self, image, image_data):
        png = draw_case_image(image.label, **image_data["drawing"])
        # Saved like an upload; CaseImage.save() deletes the files it replaces once the transaction commits.
        image.image.save(image_data["filename"], ContentFile(png, name=image_data["filename"]), save=True)
        self.new_files += [(image.image.storage, name) for name in (image.image.name, *image.image.rendition_names())]
        self.counts["drawn"] += 1

    def delete_new_files(self):
        for storage, name in self.new_files:
            storage.delete(name)

    def summary(self):
        counts = self.counts
        return (
            f"Demo content loaded: {counts['condition']} condition, {counts['categories']} categories, "
            f"{counts['procedures']} procedures, {counts['imaging modalities']} imaging modalities, "
            f"{counts['case study']} case study with {counts['case images']} images "
            f"({self.created} records created, {self.updated} updated, {counts['drawn']} images drawn)."
        )
