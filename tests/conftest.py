import datetime
import importlib

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.db import connection
from django.db.models.fields.files import FieldFile
from django.test import Client

from conditions.models import CaseImage, CaseStudy, Condition, ConditionProcedure
from procedures.models import ImagingModality, Procedure, ProcedureCategory
from publishing.models import Status
from tests.images import png_bytes


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix, tmp_path_factory):
    """Test on an SQLite file rather than in memory.

    Django shares one in-memory connection between all the live server's request threads, so a page
    and its favicon request, served at once, trip over each other's savepoints. A file gives each
    thread its own connection, as in production.
    """
    database = settings.DATABASES["default"]
    if database["ENGINE"] == "django.db.backends.sqlite3":
        database.setdefault("TEST", {})["NAME"] = str(tmp_path_factory.mktemp("db") / "test.sqlite3")


@pytest.fixture(autouse=True)
def _test_storage(settings, tmp_path):
    """Uploads go to a temporary folder; static files need no manifest; each test starts with an empty cache."""
    cache.clear()
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast, tests only
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


def make_category(**kwargs):
    kwargs.setdefault("name", "Cementoplasty")
    kwargs.setdefault("slug", kwargs["name"].lower().replace(" ", "-"))
    return ProcedureCategory.objects.get_or_create(slug=kwargs.pop("slug"), defaults=kwargs)[0]


def make_procedure(**kwargs):
    kwargs.setdefault("name", "Vertebroplasty")
    kwargs.setdefault("slug", kwargs["name"].lower().replace(" ", "-"))
    kwargs.setdefault("summary", f"{kwargs['name']} explained in plain words.")
    kwargs.setdefault("what_it_is", f"<p>What {kwargs['name']} is.</p>")
    kwargs.setdefault("status", Status.PUBLISHED)
    kwargs.setdefault("last_reviewed", datetime.date(2026, 1, 15))
    kwargs.setdefault("reviewed_by", "Consultant interventional radiologist")
    if "category" not in kwargs:
        kwargs["category"] = make_category()
    return Procedure.objects.create(**kwargs)


def make_condition(**kwargs):
    kwargs.setdefault("name", "Bone pain from cancer")
    kwargs.setdefault("slug", kwargs["name"].lower().replace(" ", "-"))
    kwargs.setdefault("summary", "Pain caused by cancer that has spread to the bones.")
    kwargs.setdefault("what_it_is", "<p>Cancer has spread to the bones.</p>")
    kwargs.setdefault("status", Status.PUBLISHED)
    kwargs.setdefault("last_reviewed", datetime.date(2026, 1, 15))
    kwargs.setdefault("next_review_due", datetime.date(2029, 1, 15))
    kwargs.setdefault("reviewed_by", "Consultant interventional radiologist")
    return Condition.objects.create(**kwargs)


def link(condition, procedure, order=0):
    return ConditionProcedure.objects.create(condition=condition, procedure=procedure, order=order)


def make_case(condition, images=1, **kwargs):
    kwargs.setdefault("title", "Cryoablation of a spinal tumour")
    kwargs.setdefault("summary", "A man in his 60s whose kidney cancer had spread to his spine.")
    kwargs.setdefault("consent_recorded", True)
    case = CaseStudy.objects.create(condition=condition, **kwargs)
    modality = ImagingModality.objects.get_or_create(slug="ct", defaults={"name": "CT"})[0]
    for index in range(images):
        label = chr(ord("A") + index) if index < 26 else f"A{index}"
        image = CaseImage(
            case_study=case,
            label=label,
            stage="before",
            modality=modality,
            caption=f"Image {label} caption.",
            alt_text=f"Schematic image {label}.",
            order=index,
        )
        image.image.save(f"{label}.png", png_bytes(), save=False)
        image.save()
    return case


def public_html(client, url):
    """The page at url as the client sees it, which must be there for what it leaves out to mean anything."""
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def condition_admin_form(**overrides):
    """The admin's add-condition form, filled in; overrides change or add fields."""
    data = {
        "name": "Bone pain from cancer",
        "slug": "bone-pain-from-cancer",
        "summary": "Pain caused by cancer that has spread to the bones.",
        "what_it_is": "<p>Cancer has spread to bone.</p>",
        "status": "draft",
        "condition_procedures-TOTAL_FORMS": "0",
        "condition_procedures-INITIAL_FORMS": "0",
    }
    data.update(overrides)
    return data


def case_image_form(case, **image):
    """A case study's admin change form with one new image in the inline; image overrides its fields."""
    data = {
        "condition": case.condition_id,
        "title": case.title,
        "summary": case.summary,
        "consent_recorded": "on",
        "order": "0",
        "opened_edit": case.edit_count,
        "images-TOTAL_FORMS": "1",
        "images-INITIAL_FORMS": "0",
        "images-0-label": "A",
        "images-0-stage": "before",
        "images-0-caption": "CT scan before treatment.",
        "images-0-alt_text": "A cross-section of a spine bone with a tumour.",
        "images-0-order": "1",
    }
    data.update({f"images-0-{key}": value for key, value in image.items()})
    return data


@pytest.fixture
def staff_user(db):
    return get_user_model().objects.create_superuser("editor", "editor@example.org", "correct horse battery")


@pytest.fixture
def staff_client(client, staff_user):
    client.force_login(staff_user)
    return client


@pytest.fixture
def roles(db):
    """The groups the data migrations make. A transactional test's flush empties them, so make them again."""
    if not Group.objects.filter(name="Editors").exists():
        migration = importlib.import_module("publishing.migrations.0001_roles")
        migration.create_roles(apps, connection.schema_editor())
        importlib.import_module("feedback.migrations.0002_roles").grant(apps, connection.schema_editor())


def make_staff(username, group=None):
    """A staff login in one of the roles the data migration creates ("Editors", "Clinical reviewers")."""
    user = get_user_model().objects.create_user(username, f"{username}@example.org", "a long enough password 1")
    user.is_staff = True
    user.save()
    if group:
        user.groups.add(Group.objects.get(name=group))
    return user


def logged_in(user):
    """A client of its own, so two people can work at once."""
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def editor(db):
    return make_staff("edna", "Editors")


@pytest.fixture
def reviewer(db):
    return make_staff("rita", "Clinical reviewers")


@pytest.fixture
def editor_client(editor):
    return logged_in(editor)


@pytest.fixture
def reviewer_client(reviewer):
    return logged_in(reviewer)


def change_form_data(client, url, **overrides):
    """What the admin change form at url posts when saved unchanged, with overrides: as a browser would send it."""
    response = client.get(url)
    assert response.status_code == 200, url
    forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        forms += [formset.management_form, *formset.initial_forms]
    data = {}
    for form in forms:
        for name in form.fields:
            value = form[name].value()
            # A browser sends nothing for a file input left alone.
            if value is not None and not isinstance(value, FieldFile):
                data[form.add_prefix(name)] = value
            if form.fields[name].show_hidden_initial:
                data[form.add_initial_prefix(name)] = form[name].initial
    for inline in response.context["inline_admin_formsets"]:
        # Only the saved rows: the blank extra rows would be ignored anyway.
        data[inline.formset.management_form.add_prefix("TOTAL_FORMS")] = len(inline.formset.initial_forms)
    data.update(overrides)
    return data


def review_url(page):
    return page.get_admin_url().removesuffix("change/") + "review/"


def approve_in_admin(client, page, **fields):
    """A clinical reviewer's approval on the page's review screen; fields override the form's."""
    data = {"approve": "1", "last_reviewed": "2026-03-01", "reviewed_by": "Consultant interventional radiologist"}
    data.update(fields)
    return client.post(review_url(page), data)
