"""Two people editing one page: the second save is refused, nothing typed is lost, the first save stands."""

import re
import threading

import pytest
from django.db import connection, transaction

from conditions.models import Condition
from publishing.models import Status
from tests.conftest import change_form_data, logged_in, make_condition, make_procedure, make_staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def alice(db):
    user = make_staff("alice", "Editors")
    user.first_name, user.last_name = "Alice", "Adams"
    user.save()
    return logged_in(user)


@pytest.fixture
def bob(db):
    return logged_in(make_staff("bob", "Editors"))


def test_the_edit_count_counts_up_on_every_save():
    condition = make_condition(status=Status.DRAFT)
    assert condition.edit_count == 1
    condition.save()
    condition.save()
    assert Condition.objects.get().edit_count == 3


def test_the_second_of_two_saves_is_refused_and_the_first_is_kept(alice, bob):
    condition = make_condition(status=Status.REVIEW, what_it_is="<p>Cancer has spread to the bones.</p>")
    url = condition.get_admin_url()
    alices = change_form_data(alice, url, what_it_is="<p>Cancer has reached the bones.</p>")
    bobs = change_form_data(bob, url, summary="Bob's clearer summary.")

    assert alice.post(url, alices).status_code == 302
    response = bob.post(url, bobs)

    assert response.status_code == 200
    html = response.content.decode()
    assert re.search(r"This page was edited by Alice Adams at \d+ \w+ \d{4}, \d\d:\d\d since you opened it", html)
    assert "Bob&#x27;s clearer summary." in html  # Bob's text is still in the form
    conflict = {change.label: change.diff for change in response.context["adminform"].form.conflict}
    assert set(conflict) == {"What it is", "Summary"}
    assert "<del>reached</del> <ins>spread to</ins>" in conflict["What it is"]
    condition.refresh_from_db()
    assert condition.what_it_is == "<p>Cancer has reached the bones.</p>"
    assert condition.summary == "Pain caused by cancer that has spread to the bones."


def test_saving_again_after_reading_the_differences_goes_through(alice, bob):
    condition = make_condition(status=Status.REVIEW)
    url = condition.get_admin_url()
    bobs = change_form_data(bob, url, summary="Bob's summary.")
    alice.post(url, change_form_data(alice, url, summary="Alice's summary."))
    refused = bob.post(url, bobs)
    resubmitted = {**bobs, "opened_edit": refused.context["adminform"].form["opened_edit"].value()}
    assert bob.post(url, resubmitted).status_code == 302
    condition.refresh_from_db()
    assert condition.summary == "Bob's summary."


def test_an_edit_to_the_treatment_links_alone_also_counts(alice, bob):
    condition = make_condition(status=Status.REVIEW)
    url = condition.get_admin_url()
    procedure = make_procedure(name="Nerve block")
    bobs = change_form_data(bob, url, summary="Bob's summary.")
    alices = change_form_data(alice, url)
    alices.update(
        {
            "condition_procedures-TOTAL_FORMS": "1",
            "condition_procedures-0-procedure": str(procedure.pk),
            "condition_procedures-0-order": "1",
        }
    )
    assert alice.post(url, alices).status_code == 302
    assert bob.post(url, bobs).status_code == 200
    assert list(Condition.objects.get().procedures.all()) == [procedure]


def test_procedures_are_protected_too(alice, bob):
    procedure = make_procedure(status=Status.DRAFT)
    url = procedure.get_admin_url()
    bobs = change_form_data(bob, url, summary="Bob's.")
    alice.post(url, change_form_data(alice, url, summary="Alice's."))
    assert "since you opened it" in bob.post(url, bobs).content.decode()
    procedure.refresh_from_db()
    assert procedure.summary == "Alice's."


@pytest.mark.parametrize(("value", "message"), [("", "This field is required."), ("abc", "missing or damaged")])
def test_a_missing_or_damaged_edit_number_is_refused(alice, value, message):
    condition = make_condition(status=Status.REVIEW)
    url = condition.get_admin_url()
    response = alice.post(url, change_form_data(alice, url, summary="Changed.", opened_edit=value))
    assert response.status_code == 200
    assert message in str(response.context["adminform"].form.errors["opened_edit"])
    condition.refresh_from_db()
    assert condition.summary != "Changed."


def test_an_old_or_made_up_edit_number_is_treated_as_stale(alice):
    condition = make_condition(status=Status.REVIEW)
    url = condition.get_admin_url()
    for value in [condition.edit_count - 1, condition.edit_count + 5, -1]:
        response = alice.post(url, change_form_data(alice, url, summary="Changed.", opened_edit=value))
        assert response.status_code == 200
    condition.refresh_from_db()
    assert condition.summary != "Changed."


@pytest.mark.skipif(not connection.features.has_select_for_update, reason="SQLite runs one write at a time anyway")
@pytest.mark.django_db(transaction=True)
def test_a_save_that_arrives_during_another_waits_for_it_and_is_refused(roles):
    bob = logged_in(make_staff("bob", "Editors"))
    condition = make_condition(status=Status.REVIEW)
    url = condition.get_admin_url()
    bobs = change_form_data(bob, url, summary="Bob's summary.")
    status = []

    def bob_saves():
        try:
            status.append(bob.post(url, bobs).status_code)
        finally:
            connection.close()  # this thread's own connection

    with transaction.atomic():
        # Alice's save is under way and holds the row, as the admin's version check does.
        Condition.objects.select_for_update().get(pk=condition.pk)
        bob_thread = threading.Thread(target=bob_saves)
        bob_thread.start()
        bob_thread.join(timeout=1)
        assert bob_thread.is_alive(), "Bob's save should wait for Alice's to commit"
        condition.summary = "Alice's summary."
        condition.save()
    bob_thread.join()
    assert status == [200]
    assert Condition.objects.get().summary == "Alice's summary."


def test_a_save_made_outside_the_admin_is_not_pinned_on_the_last_admin_editor(alice, bob):
    condition = make_condition(status=Status.REVIEW)
    url = condition.get_admin_url()
    alice.post(url, change_form_data(alice, url, summary="Alice's."))
    bobs = change_form_data(bob, url, summary="Bob's.")
    condition.refresh_from_db()
    condition.summary = "Changed by a script."
    condition.save()
    html = bob.post(url, bobs).content.decode()
    assert "edited by someone else at" in html and "Alice" not in html
