"""Editors and clinical reviewers read what readers said; reviewers may delete an answer (say, one that names someone)."""

from django.apps import apps as installed_apps
from django.contrib.auth.management import create_permissions
from django.db import migrations

GRANTS = {"Editors": ["view"], "Clinical reviewers": ["view", "delete"]}


def grant(apps, schema_editor):
    # Permissions are normally created after all migrations have run; the groups need them now.
    create_permissions(
        installed_apps.get_app_config("feedback"), apps=apps, using=schema_editor.connection.alias, verbosity=0
    )
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, actions in GRANTS.items():
        group = Group.objects.get_or_create(name=name)[0]
        codenames = [f"{action}_feedback" for action in actions]
        group.permissions.add(*Permission.objects.filter(content_type__app_label="feedback", codename__in=codenames))


def revoke(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    for group in apps.get_model("auth", "Group").objects.filter(name__in=GRANTS):
        group.permissions.remove(*Permission.objects.filter(content_type__app_label="feedback"))


class Migration(migrations.Migration):
    dependencies = [
        ("feedback", "0001_reader_feedback"),
        ("publishing", "0001_roles"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
