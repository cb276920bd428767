"""Every page published before approvals existed becomes its own approved version 1."""

from django.core import serializers
from django.db import migrations
from django.utils import timezone


def version_objects(apps, model_name, page):
    if model_name == "condition":
        links = apps.get_model("conditions", "ConditionProcedure").objects.filter(condition=page).order_by("pk")
        cases = list(apps.get_model("conditions", "CaseStudy").objects.filter(condition=page).order_by("pk"))
        images = apps.get_model("conditions", "CaseImage").objects.filter(case_study__in=cases).order_by("pk")
        return [page, *links, *cases, *images]
    return [page]


def approve_published_pages(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    ApprovedVersion = apps.get_model("publishing", "ApprovedVersion")
    for app_label, model_name in (("conditions", "condition"), ("procedures", "procedure")):
        model = apps.get_model(app_label, model_name)
        content_type, _ = ContentType.objects.get_or_create(app_label=app_label, model=model_name)
        for page in model.objects.filter(status="published"):
            when = page.first_published_at or timezone.now()
            ApprovedVersion.objects.get_or_create(
                content_type=content_type,
                object_id=page.pk,
                number=1,
                defaults={
                    "data": serializers.serialize("json", version_objects(apps, model_name, page)),
                    "title": page.name,
                    "approved_at": when,
                    "went_live_at": when,
                    "last_reviewed": page.last_reviewed,
                    "reviewed_by": page.reviewed_by,
                    "comment": "Published before approvals were recorded.",
                },
            )


class Migration(migrations.Migration):
    dependencies = [
        ("publishing", "0002_approved_versions"),
        ("conditions", "0005_approved_versions"),
        ("procedures", "0003_approved_versions"),
    ]

    operations = [migrations.RunPython(approve_published_pages, migrations.RunPython.noop)]
