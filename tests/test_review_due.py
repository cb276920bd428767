"""Pages are re-checked on a schedule: staff see what is overdue or due soon; patients still see the pages."""

import datetime
import io

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.utils import timezone

from conditions.models import Condition
from procedures.models import Procedure
from publishing.models import Status
from tests.conftest import logged_in, make_condition, make_procedure, make_staff
from tests.servers import free_port

pytestmark = pytest.mark.django_db


def days_from_today(days):
    return timezone.localdate() + datetime.timedelta(days=days)


def reviewed(due_in_days, **kwargs):
    """Review dates that fall due `due_in_days` from today (negative: overdue)."""
    due = days_from_today(due_in_days)
    return {"last_reviewed": due - datetime.timedelta(days=1095), "next_review_due": due, **kwargs}


@pytest.fixture
def pages():
    return {
        "overdue": make_condition(name="Overdue condition", **reviewed(-1)),
        "today": make_procedure(name="Due today procedure", **reviewed(0)),
        "soon": make_condition(name="Soon condition", **reviewed(90)),
        "later": make_procedure(name="Later procedure", **reviewed(91)),
        "draft": make_condition(name="Draft condition", **reviewed(-30, status=Status.DRAFT, reviewed_by="")),
    }


def names(queryset):
    return sorted(page.name for page in queryset)


def test_overdue_means_published_and_past_its_review_date(pages):
    assert names(Condition.objects.review_overdue()) == ["Overdue condition"]
    assert names(Procedure.objects.review_overdue()) == []
    assert pages["overdue"].is_review_overdue
    assert not pages["today"].is_review_overdue and not pages["draft"].is_review_overdue


def test_due_soon_means_published_and_due_from_today_to_90_days(pages):
    assert names(Condition.objects.review_due_soon()) == ["Soon condition"]
    assert names(Procedure.objects.review_due_soon()) == ["Due today procedure"]


def test_overdue_pages_stay_public(client, pages):
    assert client.get(pages["overdue"].get_absolute_url()).status_code == 200
    assert "Overdue condition" in client.get("/conditions/").content.decode()


@pytest.mark.parametrize(
    ("url", "choice", "shown", "hidden"),
    [
        ("/admin/conditions/condition/", "overdue", ["Overdue condition"], ["Soon condition", "Draft condition"]),
        ("/admin/conditions/condition/", "soon", ["Soon condition"], ["Overdue condition", "Draft condition"]),
        ("/admin/procedures/procedure/", "soon", ["Due today procedure"], ["Later procedure"]),
        ("/admin/procedures/procedure/", "overdue", [], ["Due today procedure", "Later procedure"]),
    ],
)
def test_the_lists_filter_by_review_due(editor_client, pages, url, choice, shown, hidden):
    html = editor_client.get(f"{url}?review={choice}").content.decode()
    assert "Review overdue" in html and "Due within 90 days" in html
    for name in shown:
        assert f">{name}</a>" in html
    for name in hidden:
        assert f">{name}</a>" not in html


def test_an_unknown_filter_value_shows_the_whole_list(editor_client, pages):
    html = editor_client.get("/admin/conditions/condition/?review=whenever").content.decode()
    assert ">Overdue condition</a>" in html and ">Draft condition</a>" in html


def test_overdue_pages_are_flagged_in_the_list_and_the_form(editor_client, pages):
    overdue = pages["overdue"]
    listing = editor_client.get("/admin/conditions/condition/").content.decode()
    assert listing.count("Overdue since") == 1
    form = editor_client.get(overdue.get_admin_url()).content.decode()
    assert "Review overdue: this page was due to be checked by" in form
    assert "Review overdue" not in editor_client.get(pages["soon"].get_admin_url()).content.decode()


def test_the_admin_index_lists_pages_due_for_review(editor_client, pages):
    html = editor_client.get("/admin/").content.decode()
    assert "css/admin-workflow.css" in html  # a stylesheet, not inline styles, so a strict CSP allows it
    panel = html.split('id="review-panel"')[1].split("</table>")[0]
    assert "Pages due for review" in panel
    for key in ["overdue", "today", "soon"]:
        assert f'href="{pages[key].get_admin_url()}"' in panel
    assert "Later procedure" not in panel and "Draft condition" not in panel
    assert "Consultant interventional radiologist" in panel and "Overdue since" in panel
    assert panel.index("Overdue condition") < panel.index("Due today procedure") < panel.index("Soon condition")


def test_the_admin_index_panel_is_short(editor_client):
    for index in range(12):
        make_condition(name=f"Page {index:02}", **reviewed(-index - 1))
    panel = editor_client.get("/admin/").content.decode().split('id="review-panel"')[1].split("</table>")[0]
    assert panel.count("Overdue since") == 10
    assert "And 2 more" in panel


def test_the_admin_index_says_when_nothing_is_due(editor_client):
    assert "No published page is overdue or due for review" in editor_client.get("/admin/").content.decode()


def test_review_report_prints_overdue_and_due_soon_pages(pages):
    out = io.StringIO()
    call_command("review_report", stdout=out)
    report = out.getvalue()
    overdue, due_soon = report.split("Due for review within 90 days")
    assert "Overdue for review: 1" in overdue and "condition: Overdue condition" in overdue
    assert f"{days_from_today(-1):%Y-%m-%d}" in overdue
    assert "reviewer: Consultant interventional radiologist" in overdue
    assert pages["overdue"].get_admin_url() in overdue
    assert ": 2" in due_soon and "Due today procedure" in due_soon and "Soon condition" in due_soon
    assert "Later procedure" not in report and "Draft condition" not in report


def test_review_report_exits_cleanly_with_nothing_due():
    out = io.StringIO()
    call_command("review_report", stdout=out)
    assert out.getvalue() == "Overdue for review: 0\nDue for review within 90 days: 0\n"


def test_staff_who_may_not_see_pages_get_no_panel(pages):
    response = logged_in(make_staff("porter")).get("/admin/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "You don’t have permission to view or edit anything." in html  # the admin index, rendered
    assert 'id="review-panel"' not in html and "Pages due for review" not in html


def test_review_report_emails_the_report_when_pages_are_due(pages, mailoutbox):
    out = io.StringIO()
    call_command("review_report", "--email", "lead@example.org", "--email", "deputy@example.org", stdout=out)
    assert out.getvalue() == "Sent to lead@example.org, deputy@example.org.\n"
    (message,) = mailoutbox
    assert message.to == ["lead@example.org", "deputy@example.org"]
    assert message.subject == "Patient pages due for review: 1 overdue, 2 due soon"
    assert "Overdue for review: 1" in message.body and "Soon condition" in message.body
    assert settings.SITE_URL + pages["overdue"].get_admin_url() in message.body


def test_review_report_sends_and_prints_nothing_when_nothing_is_due(mailoutbox):
    out = io.StringIO()
    with pytest.raises(SystemExit) as exit:
        call_command("review_report", "--email", "lead@example.org", stdout=out)
    assert exit.value.code == 0 and out.getvalue() == "" and mailoutbox == []
    with pytest.raises(SystemExit) as exit:
        call_command("review_report", "--if-due", stdout=out)
    assert exit.value.code == 3 and out.getvalue() == ""


def test_review_report_if_due_prints_the_report_when_pages_are_due(pages):
    out = io.StringIO()
    call_command("review_report", "--if-due", stdout=out)
    assert "Overdue for review: 1" in out.getvalue()


@pytest.mark.parametrize("address", ["not-an-address", "lead@example.org\nBcc: x@evil.example", "", "a\x00@b.org"])
def test_review_report_refuses_a_bad_address(pages, mailoutbox, address):
    with pytest.raises(CommandError, match="Not an email address"):
        call_command("review_report", "--email", address, stdout=io.StringIO())
    assert mailoutbox == []


def test_review_report_fails_loudly_when_the_mail_server_refuses(pages, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()  # nothing listens there
    with pytest.raises(ConnectionError):
        call_command("review_report", "--email", "lead@example.org", stdout=io.StringIO())
