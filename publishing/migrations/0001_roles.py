"""The two staff roles, so every fresh install has them: Editors write, Clinical reviewers also publish."""

from django.apps import apps as installed_apps
from django.contrib.auth.management import create_permissions
from django.db import migrations

EDITORS = "Editors"
CLINICAL_REVIEWERS = "Clinical reviewers"

# (app label, model, actions). Editors write pages, case studies and images; they may remove a
# treatment link or an image while editing a page, but not delete a whole page.
EDITOR_PERMISSIONS = [
    ("conditions", "condition", ["view", "add", "change"]),
    ("conditions", "conditionprocedure", ["view", "add", "change", "delete"]),
    ("conditions", "casestudy", ["view", "add", "change"]),
    ("conditions", "caseimage", ["view", "add", "change", "delete"]),
    ("procedures", "procedure", ["view", "add", "change"]),
    ("procedures", "procedurecategory", ["view", "add", "change"]),
    ("procedures", "imagingmodality", ["view"]),
]
# Publishing, unpublishing and deleting change what patients see, so they need a clinician.
REVIEWER_PERMISSIONS = [
    ("conditions", "condition", ["publish", "delete"]),
    ("conditions", "casestudy", ["delete"]),
    ("procedures", "procedure", ["publish", "delete"]),
    ("procedures", "procedurecategory", ["delete"]),
]


def permissions(apps, grants):
    Permission = apps.get_model("auth", "Permission")
    for app_label, model, actions in grants:
        for action in actions:
            yield Permission.objects.get(
                content_type__app_label=app_label, content_type__model=model, codename=f"{action}_{model}"
            )


def create_roles(apps, schema_editor):
    # Permissions are normally created after all migrations have run; these groups need them now.
    for app_label in ("conditions", "procedures"):
        create_permissions(
            installed_apps.get_app_config(app_label), apps=apps, using=schema_editor.connection.alias, verbosity=0
        )
    Group = apps.get_model("auth", "Group")
    editors = Group.objects.get_or_create(name=EDITORS)[0]
    editors.permissions.add(*permissions(apps, EDITOR_PERMISSIONS))
    reviewers = Group.objects.get_or_create(name=CLINICAL_REVIEWERS)[0]
    reviewers.permissions.add(*permissions(apps, EDITOR_PERMISSIONS + REVIEWER_PERMISSIONS))


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=[EDITORS, CLINICAL_REVIEWERS]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("conditions", "0004_workflow"),
        ("procedures", "0002_workflow"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
