"""'Was this page helpful?': answers kept without personal data, refused clearly when bad, never public."""

import datetime
import re
import time

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from feedback import protection
from feedback.models import Feedback
from publishing import workflow
from tests.conftest import approve_in_admin, change_form_data, make_condition, make_procedure, public_html
from tests.test_page_cache import fetch

pytestmark = pytest.mark.django_db

CONDITION = "/conditions/bone-pain-from-cancer/"
POST_TO = CONDITION + "feedback/"
PROCEDURE_POST_TO = "/procedures/vertebroplasty/feedback/"
SITE = "http://testserver"
TOKEN = re.compile(r'name="token" value="([^"]+)"')


@pytest.fixture
def condition(db):
    condition = make_condition()
    workflow.record_imported(condition, "Imported for the test.")  # its first approved version
    return condition


def token_for(client, url=CONDITION):
    return TOKEN.search(public_html(client, url)).group(1)


def send(client=None, url=POST_TO, *, origin=SITE, token=None, address="203.0.113.7", **fields):
    """A visitor's post of the feedback form as a browser sends it, with a token from the page."""
    client = client or Client(REMOTE_ADDR=address)
    if token is None:
        token = protection.form_token(url)
    data = {"helpful": "yes", "comment": "", "website": "", "token": token, **fields}
    headers = {"origin": origin} if origin else {}
    return client.post(url, data, headers=headers, REMOTE_ADDR=address)


def refusal(response):
    """The words of a refusal, as a person reads them."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def test_every_condition_and_procedure_page_ends_with_the_form(client, condition):
    make_procedure()
    for url, action in [(CONDITION, POST_TO), ("/procedures/vertebroplasty/", PROCEDURE_POST_TO)]:
        html = public_html(client, url)
        form = html[html.index('<section class="feedback"') :]
        assert f'<form method="post" action="{action}" novalidate>' in form
        assert "Was this page helpful?" in form and 'value="yes"' in form and 'value="no"' in form
        assert '<textarea id="feedback-comment" name="comment" rows="4" maxlength="1000"' in form
        assert form.index("</form>") < form.index("</article>")  # the page's last part
        assert "csrfmiddlewaretoken" not in html


def test_the_page_with_the_form_stays_cached_and_the_same_for_everyone(condition):
    first, _ = fetch(CONDITION)
    assert not first.cookies and "Set-Cookie" not in first
    again, cached = fetch(CONDITION)
    assert cached and again.content == first.content
    cache.clear()
    other_visitor = Client(HTTP_USER_AGENT="Another browser", REMOTE_ADDR="198.51.100.9").get(CONDITION)
    assert other_visitor.content == first.content and other_visitor["ETag"] == first["ETag"]


def test_an_answer_is_stored_without_personal_data_and_thanked_on_a_page_of_its_own(condition):
    client = Client(HTTP_USER_AGENT="Mozilla/5.0 (Secret phone)")
    token = token_for(client)
    response = send(client, token=token, helpful="no", comment="What does ‘percutaneous’ mean?", address="203.0.113.7")
    assert response.status_code == 303 and response["Location"] == CONDITION + "feedback/thanks/"
    assert not response.cookies
    feedback = Feedback.objects.get()
    assert feedback.page == condition and feedback.helpful is False
    assert feedback.comment == "What does ‘percutaneous’ mean?"
    assert feedback.version_number == 1 and feedback.received_on == timezone.localdate()
    # Nothing else is kept: no address, session, user agent or time of day.
    assert {field.name for field in Feedback._meta.concrete_fields} == {
        "id",
        "content_type",
        "object_id",
        "helpful",
        "comment",
        "version_number",
        "received_on",
    }
    thanks = client.get(response["Location"])
    assert thanks.status_code == 200 and "Thank you for your feedback" in thanks.content.decode()
    assert "no-store" in thanks["Cache-Control"] and not thanks.cookies
    assert f'<a href="{CONDITION}">Back to Bone pain from cancer</a>' in thanks.content.decode()


def test_comments_are_never_shown_publicly(client, condition):
    send(comment="The section on sedation was confusing.")
    cache.clear()
    for url in ["/", "/conditions/", CONDITION, "/search/?q=sedation", POST_TO + "thanks/"]:
        assert "confusing" not in client.get(url).content.decode(), url


def test_a_comment_is_optional_and_line_breaks_count_once(condition):
    assert send(comment="").status_code == 303
    assert send(comment="a" * 998 + "\r\n" + "b").status_code == 303  # 1,000 characters in the box
    assert Feedback.objects.filter(comment="a" * 998 + "\nb").exists()


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"comment": "x" * 10_000}, "Your comment is too long: keep it to 1,000 characters or fewer (it has 10000)."),
        ({"comment": "Nice <script>alert(1)</script>"}, "Please write your comment as plain text, without HTML tags"),
        ({"comment": "<b>bold</b>"}, "Please write your comment as plain text"),
        ({"comment": "Fine\x00then"}, "Your comment holds a character that cannot be stored (a NUL character)."),
        ({"comment": "Cheap pills at https://spam.example"}, "Please leave out web addresses"),
        ({"comment": "see www.spam.example"}, "Please leave out web addresses"),
        ({"helpful": ""}, "Choose yes or no to say whether this page was helpful."),
        ({"helpful": "maybe"}, "Choose yes or no to say whether this page was helpful."),
    ],
)
def test_bad_input_is_refused_with_a_clear_message_and_nothing_is_stored(condition, fields, message):
    response = send(**fields)
    assert response.status_code == 400
    text = refusal(response)
    assert "Your feedback was not sent" in text and message in text
    assert Feedback.objects.count() == 0
    assert not response.cookies and "no-store" in response["Cache-Control"]


def test_a_refused_form_keeps_what_was_typed_and_says_where_the_problem_is(condition):
    response = send(helpful="no", comment="Too much <i>jargon</i>")
    html = response.content.decode()
    assert "<title>Error: Feedback on Bone pain from cancer" in html
    assert 'value="no" checked' in html and "Too much &lt;i&gt;jargon&lt;/i&gt;</textarea>" in html
    assert '<a href="#feedback-comment">' in html
    assert 'aria-describedby="feedback-comment-hint feedback-comment-error"' in html
    # Sent again as plain text, from the form the refusal shows, it is kept.
    token = TOKEN.search(html).group(1)
    assert send(token=token, helpful="no", comment="Too much jargon").status_code == 303


def test_software_that_fills_in_the_hidden_box_is_refused_as_spam(condition):
    response = send(website="https://cheap.example", comment="Great page")
    assert response.status_code == 400
    assert "it looked like automated spam" in refusal(response)
    assert Feedback.objects.count() == 0


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"origin": "https://evil.example"},
        {"origin": "null"},
        {"referer": "https://evil.example/conditions/bone-pain-from-cancer/"},
    ],
)
def test_a_post_the_browser_says_came_from_another_site_is_refused(condition, headers):
    data = {"helpful": "yes", "token": protection.form_token(POST_TO)}
    response = Client().post(POST_TO, data, headers=headers)
    assert response.status_code == 403
    assert "did not say it came from our website" in refusal(response)
    assert Feedback.objects.count() == 0


def test_a_referer_of_this_site_will_do_when_the_browser_sends_no_origin(condition):
    data = {"helpful": "yes", "token": protection.form_token(POST_TO)}
    response = Client().post(POST_TO, data, headers={"referer": SITE + CONDITION})
    assert response.status_code == 303 and Feedback.objects.count() == 1


def test_the_site_url_is_this_sites_origin_behind_a_proxy(condition, settings):
    settings.SITE_URL = "https://patientinfo.example.nhs.uk"
    assert send(origin="https://patientinfo.example.nhs.uk").status_code == 303


@pytest.mark.parametrize(
    ("token", "message"),
    [
        ("", "This form could not be checked"),
        ("forged", "This form could not be checked"),
        (protection.form_token(PROCEDURE_POST_TO), "This form could not be checked"),
    ],
)
def test_a_post_without_this_forms_token_is_refused(condition, token, message):
    response = send(token=token)
    assert response.status_code == 400 and message in refusal(response)
    assert Feedback.objects.count() == 0


def test_the_token_is_the_same_all_hour_and_lasts_as_long_as_a_cached_page_can(condition, settings):
    start = 1_800_000_000 // 3600 * 3600
    assert protection.form_token(POST_TO, now=start) == protection.form_token(POST_TO, now=start + 3599)
    assert protection.form_token(POST_TO, now=start) != protection.form_token(POST_TO, now=start + 3600)
    settings.PAGE_CACHE_SECONDS = 7200
    token = protection.form_token(POST_TO, now=start)
    protection.check_token(token, POST_TO, now=start + 7200 + 24 * 3600)  # a cached page read for a day
    with pytest.raises(protection.TokenExpired):
        protection.check_token(token, POST_TO, now=start + 7200 + 26 * 3600 + 121)
    with pytest.raises(protection.TokenProblem):
        protection.check_token(token, POST_TO, now=start - 1)  # from the future


def test_an_expired_form_is_refused_kindly_and_can_be_sent_again_at_once(condition):
    old = protection.form_token(POST_TO, now=time.time() - 30 * 24 * 3600)
    response = send(token=old, comment="Clear, thank you")
    assert response.status_code == 400
    assert "This form was open for a long time, so it was not sent." in refusal(response)
    assert "Clear, thank you</textarea>" in response.content.decode()
    assert send(token=TOKEN.search(response.content.decode()).group(1)).status_code == 303


def test_a_flood_from_one_address_is_refused_and_stores_only_what_the_limit_allows(condition, settings):
    settings.FEEDBACK_RATE_LIMIT = 10
    statuses = [send(comment=f"Post {number}", address="203.0.113.7").status_code for number in range(1000)]
    assert statuses[:10] == [303] * 10 and set(statuses[10:]) == {429}
    assert Feedback.objects.count() == 10
    response = send(address="203.0.113.7")
    assert "So much feedback has come from your internet address" in refusal(response)
    assert re.search(r"Please try again in \d+ minutes?\.", refusal(response))
    assert send(address="198.51.100.1").status_code == 303  # another address is not held up


def test_refused_posts_count_towards_the_limit_too(condition, settings):
    settings.FEEDBACK_RATE_LIMIT = 3
    for _ in range(3):
        assert send(website="spam").status_code == 400
    assert send().status_code == 429 and Feedback.objects.count() == 0


def test_the_limit_is_over_a_window_that_ends(condition, settings, monkeypatch):
    settings.FEEDBACK_RATE_LIMIT, settings.FEEDBACK_RATE_LIMIT_SECONDS = 2, 600
    now = 1_800_000_000 // 600 * 600
    monkeypatch.setattr(protection.time, "time", lambda: now)
    assert [send().status_code for _ in range(3)] == [303, 303, 429]
    now += 600
    assert send().status_code == 303


def test_behind_the_proxy_each_visitor_is_counted_by_the_address_it_passes(condition, settings):
    settings.FEEDBACK_RATE_LIMIT = 1
    for address in ["203.0.113.7", "203.0.113.8"]:
        client = Client(HTTP_X_REAL_IP=address)
        assert send(client, address="127.0.0.1").status_code == 303
    assert send(Client(HTTP_X_REAL_IP="203.0.113.7"), address="127.0.0.1").status_code == 429
    # An address that is not the proxy cannot choose the address it is counted as.
    assert send(Client(HTTP_X_REAL_IP="192.0.2.1"), address="198.51.100.5").status_code == 303
    assert send(Client(HTTP_X_REAL_IP="192.0.2.2"), address="198.51.100.5").status_code == 429


def test_an_ipv6_visitor_is_counted_by_its_network(condition, settings):
    settings.FEEDBACK_RATE_LIMIT = 1
    assert send(address="2001:db8:1:2::1").status_code == 303
    assert send(address="2001:db8:1:2:ffff::9").status_code == 429
    assert send(address="2001:db8:1:3::1").status_code == 303


def test_the_cache_is_given_no_address(condition, monkeypatch):
    keys = []
    add = protection.cache.add
    monkeypatch.setattr(
        protection.cache, "add", lambda key, *args, **kwargs: keys.append(key) or add(key, *args, **kwargs)
    )
    send(address="203.0.113.77")
    assert keys and not [key for key in keys if "203.0.113" in key]


def test_with_the_cache_down_feedback_is_refused_rather_than_unlimited(condition, monkeypatch):
    def down(*args, **kwargs):
        raise ConnectionError("Redis is down")

    monkeypatch.setattr(protection.cache, "add", down)
    response = send()
    assert response.status_code == 503 and "We cannot take feedback just now" in refusal(response)
    assert Feedback.objects.count() == 0


def test_unpublished_expired_and_missing_pages_take_no_feedback(client, condition, reviewer):
    make_procedure(name="Kyphoplasty", expires_at=timezone.now() - datetime.timedelta(minutes=1))
    make_condition(name="Draft", status="draft")
    for url in ["/procedures/kyphoplasty/feedback/", "/conditions/draft/feedback/", "/conditions/nope/feedback/"]:
        assert send(url=url).status_code == 404
        assert client.get(url).status_code == 404
        assert client.get(url + "thanks/").status_code == 404
    workflow.take_down(condition, reviewer)
    assert send().status_code == 404 and Feedback.objects.count() == 0


def test_feedback_records_the_version_patients_read_not_pending_changes(condition, editor_client, reviewer_client):
    url = condition.get_admin_url()
    editor_client.post(url, change_form_data(editor_client, url, name="Pending name"))
    send()
    approve_in_admin(reviewer_client, condition)
    send()
    assert list(Feedback.objects.order_by("pk").values_list("version_number", flat=True)) == [1, 2]


def test_the_form_on_a_page_of_its_own(client, condition):
    response = client.get(POST_TO)
    html = response.content.decode()
    assert response.status_code == 200 and "no-store" in response["Cache-Control"] and not response.cookies
    assert (
        '<meta name="robots" content="noindex">' in html and "<h1>Your feedback on Bone pain from cancer</h1>" in html
    )
    assert client.put(POST_TO).status_code == 405


def test_a_preview_of_an_unpublished_page_has_no_form(editor_client):
    make_condition(name="Draft", status="draft")
    html = public_html(editor_client, "/conditions/draft/")
    assert "Preview" in html and "Was this page helpful?" not in html


# The admin: staff read answers per page, with counts; nobody edits them.


@pytest.fixture
def answers(condition):
    procedure = make_procedure()
    for helpful, comment in [(True, ""), (True, "Clear"), (False, "What is a nerve block?")]:
        Feedback.record(condition, helpful, comment)
    Feedback.record(procedure, False, "Too long")
    return condition, procedure


def test_staff_see_each_pages_yes_and_no_counts_and_its_comments(editor_client, answers):
    condition, procedure = answers
    response = editor_client.get("/admin/feedback/feedback/")
    assert response.status_code == 200
    rows = [(row["name"], row["yes"], row["no"], row["comments"]) for row in response.context["page_counts"]]
    assert rows == [("Bone pain from cancer (condition)", 2, 1, 2), ("Vertebroplasty (procedure)", 0, 1, 1)]
    html = response.content.decode()
    assert "What is a nerve block?" in html and "Too long" in html
    filtered = editor_client.get(
        f"/admin/feedback/feedback/?page={response.context['page_counts'][1]['content_type']}-{procedure.pk}"
    )
    assert "Too long" in filtered.content.decode() and "What is a nerve block?" not in filtered.content.decode()
    assert [(row["yes"], row["no"]) for row in filtered.context["page_counts"]] == [(0, 1)]


def test_the_admin_list_costs_the_same_queries_however_many_answers(editor_client, answers):
    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert editor_client.get("/admin/feedback/feedback/").status_code == 200
        return len(captured)

    few = queries()
    for _ in range(30):
        Feedback.record(answers[0], True, "More")
    assert queries() == few


def test_nobody_adds_or_edits_feedback_and_only_reviewers_delete_it(editor_client, reviewer_client, answers):
    feedback = Feedback.objects.first()
    assert editor_client.get("/admin/feedback/feedback/add/").status_code == 403
    assert editor_client.post(f"/admin/feedback/feedback/{feedback.pk}/change/", {"comment": "x"}).status_code == 403
    assert editor_client.post(f"/admin/feedback/feedback/{feedback.pk}/delete/", {"post": "yes"}).status_code == 403
    assert reviewer_client.post(f"/admin/feedback/feedback/{feedback.pk}/delete/", {"post": "yes"}).status_code == 302
    assert not Feedback.objects.filter(pk=feedback.pk).exists()


def test_visitors_cannot_read_feedback(client, answers):
    response = client.get("/admin/feedback/feedback/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
