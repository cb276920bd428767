"""Put the demo content (demo/content.py) into a database where it is missing, and change nothing that is there.

Each demo object is looked up by its slug or its name. One that is found is left exactly as it
is, whoever changed it since: staff edits, approvals, images they added and parts they deleted
all survive another `make run`. What is missing is created, with a first revision, and a page
arrives published as an approved version (publishing.workflow.record_imported), as content
approved before it was imported. Links between demo pages are built from the pages found or made.

A page's parts (a condition's treatment links and case study with its images, a procedure's
image guidance and "often combined with" links) are made only together with the page: adding
them to a page that is there would change what patients read without a reviewer's approval.
"""

import re

import reversion
from django.core.files.base import ContentFile
from django.db.models import Q

from conditions.models import CaseImage, CaseStudy, Condition, ConditionProcedure
from procedures.models import ImagingModality, Procedure, ProcedureCategory
from publishing import workflow
from publishing.models import Publishable

from . import content
from .images import draw_case_image

COMMENT = "Loaded from the demo content."

PROCEDURE_FIELDS = ("name", "summary", "sedation", "typical_stay", *(name for name, _ in Procedure.SECTIONS))
CONDITION_FIELDS = (
    "name",
    "summary",
    "also_known_as",
    *(name for name, _ in Condition.SECTIONS),
    *Condition.URGENT_FIELDS,
)
CASE_STUDY_FIELDS = ("title", "summary", "outcome", "consent_recorded", "order")
CASE_IMAGE_FIELDS = ("label", "stage", "order", "caption", "alt_text")

# A link in demo rich text names the page it goes to: href="procedure:nerve-block".
LINK = re.compile(r'href="(?P<kind>[a-z]+):(?P<slug>[a-z0-9-]+)"')


def with_addresses(text, pages):
    """Demo rich text with each link to a demo page given that page's own address (get_absolute_url()).

    pages: {kind: {demo slug: the page}}, e.g. {"procedure": {"nerve-block": <Procedure>}}.
    """

    def address(match):
        page = pages.get(match["kind"], {}).get(match["slug"])
        if page is None:
            raise ValueError(f"The demo content links to {match[0]}, which is not a demo page.")
        return f'href="{page.get_absolute_url()}"'

    return LINK.sub(address, text)


class DemoLoader:
    def __init__(self):
        self.created = []  # in the order made
        self.kept = 0
        self.drawn = 0

    def load(self):
        # Found first, so that links go to each page's own address, even one staff gave another slug.
        self.pages = {
            "procedure": {data["slug"]: self.find(Procedure, data) for data in content.PROCEDURES},
            "condition": {content.CONDITION["slug"]: self.find(Condition, content.CONDITION)},
        }
        modalities = self.load_modalities()
        categories = self.load_categories()
        procedures = self.load_procedures(categories, modalities)
        self.load_condition(procedures, modalities)
        self.record()

    def find(self, model, data):
        """The object there with the demo object's slug or name, to be left as it is; or a new, unsaved one."""
        found = model.objects.filter(Q(slug=data["slug"]) | Q(name=data["name"])).first()
        if found is not None:
            self.kept += 1
            return found
        return model(slug=data["slug"])

    def add_if_new(self, obj, **fields):
        """Give a new object its demo fields and save it (True); one that was there is left alone (False)."""
        if obj.pk is not None:
            return False
        for name, value in fields.items():
            setattr(obj, name, value)
        self.create(obj)
        return True

    def create(self, obj):
        obj.save()
        self.created.append(obj)
        return obj

    def rich_text(self, data, names):
        return {name: with_addresses(data[name], self.pages) for name in names}

    def load_modalities(self):
        modalities = {}
        for data in content.MODALITIES:
            modalities[data["slug"]] = modality = self.find(ImagingModality, data)
            self.add_if_new(modality, **data)
        return modalities

    def load_categories(self):
        categories = {}
        for data in content.CATEGORIES:
            categories[data["slug"]] = category = self.find(ProcedureCategory, data)
            self.add_if_new(category, **data)
        return categories

    def load_procedures(self, categories, modalities):
        procedures, new = self.pages["procedure"], set()
        for data in content.PROCEDURES:  # a parent comes before its kinds
            procedure = procedures[data["slug"]]
            if self.add_if_new(
                procedure,
                **self.rich_text(data, PROCEDURE_FIELDS),
                **content.REVIEW,
                category=categories[data["category"]],
                parent=procedures[data["parent"]] if data["parent"] else None,
                leaflet_reference=content.LEAFLET_REFERENCES[data["slug"]],
            ):
                procedure.imaging_guidance.set([modalities[slug] for slug in data["imaging_guidance"]])
                new.add(data["slug"])
        for first, second in content.RELATED:
            if first in new and second in new:
                procedures[first].related.add(procedures[second])
        return procedures

    def load_condition(self, procedures, modalities):
        data = content.CONDITION
        condition = self.pages["condition"][data["slug"]]
        leaflet_reference = content.LEAFLET_REFERENCES[data["slug"]]
        fields = self.rich_text(data, CONDITION_FIELDS)
        if not self.add_if_new(condition, **fields, **content.REVIEW, leaflet_reference=leaflet_reference):
            return
        for order, slug in enumerate(content.CONDITION_PROCEDURES, start=1):
            self.create(ConditionProcedure(condition=condition, procedure=procedures[slug], order=order))
        self.load_case_study(condition, procedures, modalities)

    def load_case_study(self, condition, procedures, modalities):
        data = content.CASE_STUDY
        case = self.create(
            CaseStudy(
                condition=condition,
                procedure=procedures[data["procedure"]] if data["procedure"] else None,
                **{field: data[field] for field in CASE_STUDY_FIELDS},
            )
        )
        for image_data in data["images"]:
            image = CaseImage(
                case_study=case,
                modality=modalities[image_data["modality"]] if image_data["modality"] else None,
                **{field: image_data[field] for field in CASE_IMAGE_FIELDS},
            )
            # Saved like an upload: checked, re-encoded under a random name, with its renditions
            # (and deleted again if the load rolls back, publishing/uploads.py).
            png = draw_case_image(image.label, **image_data["drawing"])
            image.image.save(image_data["filename"], ContentFile(png, name=image_data["filename"]), save=False)
            self.create(image)
            self.drawn += 1

    def record(self):
        """Give each new object a first revision, and each new page its approved version."""
        for obj in self.created:
            if reversion.is_registered(type(obj)):
                with reversion.create_revision():
                    reversion.set_comment(COMMENT)
                    reversion.add_to_revision(obj)
        for obj in self.created:
            if isinstance(obj, Publishable):
                workflow.record_imported(obj, COMMENT)

    def summary(self):
        return (
            f"Demo content: {len(self.created)} records created, {self.drawn} images drawn; "
            f"{self.kept} already there and left as they were."
        )
