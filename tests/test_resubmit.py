"""Nothing typed is lost when a session ends: a form saved after it is kept until its editor logs in again."""

from urllib.parse import quote

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client

from conditions.models import CaseStudy, Condition
from radiology_site import resubmit
from tests.conftest import case_image_form, change_form_data, condition_admin_form, make_case, make_condition
from tests.html import Outline
from tests.images import encoded, upload

pytestmark = pytest.mark.django_db

PASSWORD = "a long enough password 1"  # as make_staff sets
TYPED = "Typed over forty minutes.\r\nA second line, with <b>brackets</b>, & and “quotes”."
OFFER = "admin/unsaved_changes.html"


def end_session(client):
    """What the browser does after 30 minutes without a request: it drops the session cookie."""
    del client.cookies[settings.SESSION_COOKIE_NAME]


def log_in(client, user, next_url):
    """Log in on the admin's login page, as the redirect after the ended session asks."""
    login_url = f"/admin/login/?next={quote(next_url)}"
    data = {"username": user.username, "password": PASSWORD, "next": next_url}
    if client.handler.enforce_csrf_checks:
        data["csrfmiddlewaretoken"] = str(client.get(login_url).context["csrf_token"])
    response = client.post(login_url, data)
    assert (response.status_code, response.url) == (302, next_url)


def offered_fields(response):
    """What the offer page's "Save my changes" button posts: its form's hidden fields."""
    assert OFFER in [template.name for template in response.templates]
    data = {}
    for tag in Outline(response.content.decode()).find_all("input", type="hidden"):
        data.setdefault(tag["name"], []).append(tag["value"])
    return data


def as_posted(data):
    return {name: [str(value)] for name, value in data.items()}


def shown_a_form(response):
    return "admin/change_form.html" in [template.name for template in response.templates]


def kept_after_session_ended(client, url, **changes):
    """Open the change form at url, let the session end, then save it with changes; return what was sent."""
    data = change_form_data(client, url, **changes)
    end_session(client)
    response = client.post(url, data)
    assert (response.status_code, response.url) == (302, f"/admin/login/?next={quote(url)}")
    return data


def test_a_form_saved_after_the_session_ended_is_saved_after_logging_in_again(editor, editor_client):
    url = make_condition(status="draft").get_admin_url()
    data = kept_after_session_ended(editor_client, url, summary=TYPED)
    assert Condition.objects.get().summary != TYPED
    login_page = editor_client.get(f"/admin/login/?next={quote(url)}").content.decode()
    assert "your changes were not saved yet. They are kept: log in again to save them." in login_page

    log_in(editor_client, editor, url)
    offer = editor_client.get(url)
    html = offer.content.decode()
    assert "Patient information: staff admin" in html  # the admin's own page
    assert "before your changes to the condition ‘Bone pain from cancer’" in html
    assert 'value="Save my changes"' in html and 'value="Discard them"' in html
    fields = offered_fields(offer)
    assert fields.pop("csrfmiddlewaretoken")  # a fresh one
    assert fields == as_posted(data)  # exactly what was sent, and nothing more

    response = editor_client.post(url, fields)
    assert response.status_code == 302
    assert Condition.objects.get().summary == TYPED
    assert shown_a_form(editor_client.get(url))  # used, so not offered again


def test_kept_changes_still_go_through_the_edit_conflict_check(editor, editor_client, reviewer_client):
    url = make_condition(status="draft").get_admin_url()
    kept_after_session_ended(editor_client, url, summary=TYPED)
    reviewer_client.post(url, change_form_data(reviewer_client, url, what_it_is="<p>Rita’s edit.</p>"))

    log_in(editor_client, editor, url)
    response = editor_client.post(url, offered_fields(editor_client.get(url)))
    assert response.status_code == 200
    assert "since you opened it" in response.content.decode()
    assert response.context["adminform"].form["summary"].value() == TYPED  # still in the form
    condition = Condition.objects.get()
    assert condition.what_it_is == "<p>Rita’s edit.</p>"
    assert condition.summary == "Pain caused by cancer that has spread to the bones."


def test_an_add_form_is_kept_too(editor, editor_client):
    url = "/admin/conditions/condition/add/?_changelist_filters=status%3Ddraft"  # opened from a filtered list
    editor_client.get(url)
    end_session(editor_client)
    editor_client.post(url, condition_admin_form(summary=TYPED))
    log_in(editor_client, editor, url)
    offer = editor_client.get(url)
    assert "before your changes to a new condition" in offer.content.decode()
    assert editor_client.post(url, offered_fields(offer)).status_code == 302
    assert Condition.objects.get().summary == TYPED


def test_discarded_changes_are_dropped(editor, editor_client):
    url = make_condition(status="draft").get_admin_url()
    kept_after_session_ended(editor_client, url, summary=TYPED)
    log_in(editor_client, editor, url)
    response = editor_client.post(url, {resubmit.DISCARD: "Discard them"})
    assert (response.status_code, response.url) == (302, url)
    page = editor_client.get(url)
    assert shown_a_form(page)
    assert "Your unsaved changes were discarded." in page.content.decode()
    assert resubmit.SESSION_KEY not in editor_client.session
    assert Condition.objects.get().summary != TYPED


def test_someone_else_logging_in_in_that_browser_is_not_offered_them(editor, editor_client, reviewer):
    url = make_condition(status="draft").get_admin_url()
    kept_after_session_ended(editor_client, url, summary=TYPED)
    log_in(editor_client, reviewer, url)
    page = editor_client.get(url)
    assert shown_a_form(page)
    assert TYPED not in str(page.context["adminform"].form["summary"].value())
    assert resubmit.SESSION_KEY not in editor_client.session


def test_logging_in_in_another_browser_is_not_offered_them(editor, editor_client):
    url = make_condition(status="draft").get_admin_url()
    kept_after_session_ended(editor_client, url, summary=TYPED)
    other_browser = Client()
    log_in(other_browser, editor, url)
    assert shown_a_form(other_browser.get(url))


def test_kept_changes_are_offered_only_at_the_address_they_were_sent_to(editor, editor_client):
    kept_at = make_condition(status="draft").get_admin_url()
    elsewhere = make_condition(name="Spinal fracture", status="draft").get_admin_url()
    kept_after_session_ended(editor_client, kept_at, summary=TYPED)
    log_in(editor_client, editor, elsewhere)
    assert shown_a_form(editor_client.get(elsewhere))
    assert shown_a_form(editor_client.get(elsewhere + "?_changelist_filters=status%3Ddraft"))
    assert editor_client.post(elsewhere, change_form_data(editor_client, elsewhere)).status_code == 302
    assert offered_fields(editor_client.get(kept_at))["summary"] == [TYPED]  # still kept, for its own address


def test_uploaded_files_are_not_kept_and_the_page_says_so(editor, editor_client):
    case = make_case(make_condition(status="draft"), images=0)
    url = f"/admin/conditions/casestudy/{case.pk}/change/"
    editor_client.get(url)
    end_session(editor_client)
    data = {**case_image_form(case, image=upload(encoded("PNG"), "scan.png")), "title": "A clearer title"}
    editor_client.post(url, data)
    log_in(editor_client, editor, url)
    offer = editor_client.get(url)
    assert "Files you had chosen to upload are not kept" in offer.content.decode()
    fields = offered_fields(offer)
    assert fields["title"] == ["A clearer title"]
    assert "images-0-image" not in fields
    assert CaseStudy.objects.get().title != "A clearer title"


def test_a_form_too_large_to_keep_is_refused_with_a_message(editor, editor_client):
    url = make_condition(status="draft").get_admin_url()
    kept_after_session_ended(editor_client, url, summary="x" * resubmit.MAX_BYTES)
    assert resubmit.SESSION_KEY not in editor_client.session
    login_page = editor_client.get(f"/admin/login/?next={quote(url)}").content.decode()
    assert "they are too large to keep for you (more than 1.0\xa0MB)" in login_page
    log_in(editor_client, editor, url)
    assert shown_a_form(editor_client.get(url))


def test_forms_kept_together_stay_under_the_limit(editor, editor_client):
    first = make_condition(status="draft").get_admin_url()
    second = make_condition(name="Spinal fracture", status="draft").get_admin_url()
    half = "x" * (resubmit.MAX_BYTES // 2)
    data = change_form_data(editor_client, first, summary=half)
    second_data = change_form_data(editor_client, second, summary=half)
    end_session(editor_client)
    editor_client.post(first, data)
    editor_client.post(second, second_data)
    assert list(editor_client.session[resubmit.SESSION_KEY]) == [first]


def test_a_post_too_large_for_django_is_refused_and_nothing_is_kept(editor_client):
    url = make_condition(status="draft").get_admin_url()
    data = change_form_data(editor_client, url, summary="x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1))
    end_session(editor_client)
    assert editor_client.post(url, data).status_code == 400
    assert resubmit.SESSION_KEY not in editor_client.session


def test_a_browser_never_shown_an_admin_form_keeps_nothing(client, editor):
    client.cookies[resubmit.EDITOR_COOKIE] = str(editor.pk)  # not signed by the site
    response = client.post("/admin/conditions/condition/add/", condition_admin_form())
    assert response.url == "/admin/login/?next=/admin/conditions/condition/add/"
    assert not Session.objects.exists()


def test_forms_that_carry_passwords_are_never_kept(staff_client):
    staff_client.get("/admin/conditions/condition/add/")
    end_session(staff_client)
    data = {"username": "newcomer", "password1": "a secret passphrase 9", "password2": "a secret passphrase 9"}
    response = staff_client.post("/admin/auth/user/add/", data)
    assert response.url.startswith("/admin/login/")
    assert resubmit.SESSION_KEY not in staff_client.session


def test_the_editor_cookie_is_signed_and_sent_only_to_the_admin(editor, editor_client):
    response = editor_client.get(make_condition(status="draft").get_admin_url())
    cookie = response.cookies[resubmit.EDITOR_COOKIE]
    assert cookie["path"] == "/admin/" and cookie["httponly"] and cookie["samesite"] == "Lax"
    assert cookie.value != str(editor.pk) and cookie.value.startswith(f"{editor.pk}:")


# CSRF. The token is a cookie that outlives the session, so a form posted after the session ended
# still passes the check; one whose token went stale is kept only if the browser says this site sent it.


def csrf_checked_client(user, url, **changes):
    """A browser that checks CSRF as a real one does, logged in, with the change form at url filled in."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    response = client.get(url)
    data = {**change_form_data(client, url, **changes), "csrfmiddlewaretoken": str(response.context["csrf_token"])}
    return client, data


def test_a_form_posted_after_the_session_ended_passes_the_csrf_check(editor):
    url = make_condition(status="draft").get_admin_url()
    client, data = csrf_checked_client(editor, url, summary=TYPED)
    end_session(client)
    response = client.post(url, data)
    assert (response.status_code, response.url) == (302, f"/admin/login/?next={quote(url)}")
    log_in(client, editor, url)
    assert client.post(url, offered_fields(client.get(url))).status_code == 302
    assert Condition.objects.get().summary == TYPED


def test_a_form_whose_csrf_token_went_stale_is_kept_when_this_site_sent_it(editor):
    url = make_condition(status="draft").get_admin_url()
    client, data = csrf_checked_client(editor, url, summary=TYPED)
    # The session ends and the editor logs in again in another window, which changes the CSRF token.
    end_session(client)
    log_in(client, editor, "/admin/")
    response = client.post(url, data, headers={"Origin": "http://testserver"})
    assert (response.status_code, response.url) == (302, url)
    assert client.post(url, offered_fields(client.get(url))).status_code == 302
    assert Condition.objects.get().summary == TYPED


@pytest.mark.parametrize("origin", [None, "https://attacker.example", "null"])
def test_a_form_with_a_stale_csrf_token_from_anywhere_else_is_refused_and_not_kept(editor, origin):
    url = make_condition(status="draft").get_admin_url()
    client, data = csrf_checked_client(editor, url, summary=TYPED)
    end_session(client)
    log_in(client, editor, "/admin/")
    response = client.post(url, data, headers={"Origin": origin} if origin else {})
    assert response.status_code == 403
    assert resubmit.SESSION_KEY not in client.session


def test_with_the_csrf_token_kept_in_the_session_the_form_is_still_kept(editor, settings):
    settings.CSRF_USE_SESSIONS = True  # the session's end takes the token with it, so the check fails
    url = make_condition(status="draft").get_admin_url()
    client, data = csrf_checked_client(editor, url, summary=TYPED)
    end_session(client)
    response = client.post(url, data, headers={"Origin": "http://testserver"})
    assert (response.status_code, response.url) == (302, f"/admin/login/?next={quote(url)}")
    log_in(client, editor, url)
    assert client.post(url, offered_fields(client.get(url))).status_code == 302
    assert Condition.objects.get().summary == TYPED
