"""The "When to get help urgently" care card: staff write it in the admin, reviewers approve it, patients see it."""

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string

from conditions.models import Condition
from procedures.models import Procedure
from tests.conftest import (
    approve_in_admin,
    change_form_data,
    condition_admin_form,
    make_condition,
    make_procedure,
    public_html,
    review_url,
)
from tests.html import Outline

pytestmark = pytest.mark.django_db

SIGNS = "you have new weakness or numbness in your legs\nyou cannot control your bladder or bowels"
ADVICE = "Contact your cancer team straight away, or go to A&E."


def cards(html):
    """The text of each care card on a page, in order."""
    return [part.split("</div>\n</div>")[0] for part in html.split('<div class="care-card"')[1:]]


def urgent_condition(**kwargs):
    kwargs = {
        "symptoms": "<p>A sore spot over the bone.</p>",
        "urgent_signs": SIGNS,
        "urgent_advice": ADVICE,
        "urgent_section": "symptoms",
        **kwargs,
    }
    return make_condition(**kwargs)


def test_a_page_without_signs_has_no_card(client):
    html = public_html(client, make_condition().get_absolute_url())
    assert 'class="care-card"' not in html
    assert "Get help straight away" not in html
    assert "What it is" in Outline(html).texts("h2")


def test_the_card_comes_before_the_sections_and_again_at_the_end_of_its_own(client):
    condition = urgent_condition()
    html = public_html(client, condition.get_absolute_url())
    top, again = cards(html)
    assert top == again.replace('id="urgent-help-again"', 'id="urgent-help"').replace("<h3", "<h2").replace(
        "</h3>", "</h2>"
    )
    summary, nav = html.index(condition.summary), html.index('id="on-this-page-heading"')
    assert summary < html.index('id="urgent-help"') < nav
    symptoms = html.split('id="symptoms"')[1].split("</section>")[0]
    assert symptoms.index("A sore spot") < symptoms.index('id="urgent-help-again"')
    for sign in SIGNS.splitlines():
        assert f"<li>{sign}</li>" in top
    assert "<p>Contact your cancer team straight away, or go to A&amp;E.</p>" in top


def test_the_card_has_a_heading_that_says_urgent_in_words_and_keeps_the_heading_order(client):
    page = Outline(public_html(client, urgent_condition().get_absolute_url()))
    h2s, h3s = page.texts("h2"), page.texts("h3")
    assert h2s[:3] == ["Urgent: Get help straight away if:", "On this page", "What it is"]
    assert h3s == ["Urgent: Get help straight away if:"]  # under Symptoms, a level below its <h2>
    headings = [tag for tag, _ in page.headings]
    assert headings.index("h3") > headings.index("h2", headings.index("h2") + 1)


def test_the_emergency_number_comes_from_the_setting(client, settings):
    settings.EMERGENCY_NUMBER = "995"
    html = public_html(client, urgent_condition().get_absolute_url())
    assert all('In an emergency, call <a href="tel:995">995</a>.' in card for card in cards(html))
    assert 'call <a href="tel:995">995</a> or go to your nearest emergency department' in html  # the footer
    assert "999" not in html


def test_a_section_that_is_empty_shows_the_card_only_at_the_top(client):
    condition = urgent_condition(symptoms="", urgent_section="symptoms")
    html = public_html(client, condition.get_absolute_url())
    assert len(cards(html)) == 1 and 'id="urgent-help"' in html
    assert 'id="symptoms"' not in html


def test_a_procedure_shows_its_card_after_its_at_a_glance_and_in_its_aftercare(client):
    procedure = make_procedure(
        aftercare="<p>Rest for a day.</p>",
        urgent_signs="the needle site keeps bleeding",
        urgent_advice="Press on it and call the ward.",
        urgent_section="aftercare",
    )
    html = public_html(client, procedure.get_absolute_url())
    assert len(cards(html)) == 2
    assert html.index('class="at-a-glance"') < html.index('id="urgent-help"') < html.index('id="on-this-page')
    aftercare = html.split('id="aftercare"')[1].split("</section>")[0]
    assert "Rest for a day." in aftercare and "<li>the needle site keeps bleeding</li>" in aftercare


def test_what_staff_type_in_the_card_is_shown_as_text(client):
    condition = urgent_condition(
        urgent_signs="<script>alert(1)</script>\n- pasted bullet\n\n  • another  ",
        urgent_advice='<b>Call</b> "now"\n\nSecond <i>paragraph</i>.',
    )
    card = cards(public_html(client, condition.get_absolute_url()))[0]
    assert "<li>&lt;script&gt;alert(1)&lt;/script&gt;</li>" in card
    assert "<li>pasted bullet</li>" in card and "<li>another</li>" in card
    assert card.count("<li>") == 3
    assert (
        "<p>&lt;b&gt;Call&lt;/b&gt; &#34;now&#34;</p>" in card and "<p>Second &lt;i&gt;paragraph&lt;/i&gt;.</p>" in card
    )
    assert "<script>" not in card and "<b>" not in card


def test_search_finds_the_signs(client):
    urgent_condition()
    assert "Bone pain from cancer" in public_html(client, "/search/?q=bladder")


# Staff: the admin form, its rules, and approval.


def test_staff_write_the_card_in_the_admin_and_it_is_stored_as_shown(admin_client):
    data = condition_admin_form(
        urgent_signs="  - you have new weakness in your legs \r\n\r\n• you cannot pass urine\r\n",
        urgent_advice="  Go to A&E now.  ",
        urgent_section="what_it_is",
    )
    response = admin_client.post("/admin/conditions/condition/add/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    condition = Condition.objects.get()
    assert condition.urgent_signs == "you have new weakness in your legs\nyou cannot pass urine"
    assert condition.urgent_advice == "Go to A&E now."
    form = admin_client.get(condition.get_admin_url()).content.decode()
    assert "When to get help urgently" in form and "Signs to get help for" in form
    assert "Nowhere else: only near the top" in form and "---------" not in form.split("urgent_section")[1][:2000]


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"urgent_signs": SIGNS}, "urgent_advice", "Say what to do"),
        ({"urgent_advice": ADVICE}, "urgent_signs", "List the signs"),
        ({"urgent_section": "symptoms"}, "urgent_signs", "List the signs"),
        ({"urgent_signs": " \n - \n", "urgent_advice": ADVICE}, "urgent_signs", "List the signs"),
        (
            {"urgent_signs": "\n".join(f"sign {n}" for n in range(11)), "urgent_advice": ADVICE},
            "urgent_signs",
            "at most 10",
        ),
        ({"urgent_signs": "x" * 201, "urgent_advice": ADVICE}, "urgent_signs", "at most 200 characters"),
        ({"urgent_signs": SIGNS, "urgent_advice": ADVICE, "urgent_section": "benefits"}, "urgent_section", "valid"),
        ({"urgent_signs": SIGNS, "urgent_advice": "x" * 1001}, "urgent_advice", "at most 1000"),
    ],
)
def test_an_incomplete_or_oversized_card_is_refused_with_a_reason(admin_client, fields, field, message):
    response = admin_client.post("/admin/conditions/condition/add/", condition_admin_form(**fields))
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert message in " ".join(errors[field]), errors
    assert not Condition.objects.exists()


def test_the_database_refuses_a_card_without_what_to_do():
    procedure = make_procedure()
    with pytest.raises(IntegrityError), transaction.atomic():
        Procedure.objects.filter(pk=procedure.pk).update(urgent_signs=SIGNS)
    with pytest.raises(ValidationError, match="needs both its signs and what to do"):
        Procedure(urgent_signs=SIGNS).validate_constraints()


def test_a_change_to_the_card_waits_for_approval_like_any_other(editor_client, reviewer_client, client):
    condition = urgent_condition()
    before = public_html(client, condition.get_absolute_url())
    url = condition.get_admin_url()
    data = change_form_data(editor_client, url, urgent_signs="you have a new sign", urgent_section="")
    assert editor_client.post(url, data).status_code == 302
    assert public_html(client, condition.get_absolute_url()) == before  # patients still read the approved card
    review = reviewer_client.get(review_url(condition)).content.decode()
    signs = review.split("Signs to get help for")[1].split("</tr>")[0]
    assert "<del>weakness or numbness in your legs</del>" in signs and "<ins>sign</ins>" in signs
    assert "you have a new sign" in reviewer_client.get(condition.get_absolute_url()).content.decode()  # preview

    assert approve_in_admin(reviewer_client, condition).status_code == 302
    html = public_html(client, condition.get_absolute_url())
    assert "<li>you have a new sign</li>" in html and "weakness" not in html
    assert len(cards(html)) == 1  # no longer shown again under Symptoms
    assert "you have a new sign" in condition.approved_versions().first().data


def test_the_demo_page_warns_of_spinal_cord_compression_in_its_card(client):
    call_command("load_demo", stdout=open("/dev/null", "w"))
    condition = Condition.objects.get(slug="bone-pain-from-cancer")
    html = public_html(client, condition.get_absolute_url())
    top, again = cards(html)
    assert "<li>you notice new weakness, numbness or tingling in your legs</li>" in top
    assert "<li>you have trouble controlling your bladder or bowels</li>" in top
    assert "spinal cord compression" in top and 'href="tel:999"' in top
    assert 'id="urgent-help-again"' in html.split('id="symptoms"')[1].split("</section>")[0]
    other = html.split('id="other-information"')[1].split("</section>")[0]
    assert "bladder" not in other  # the card replaced the paragraph at the foot of the page


def test_the_card_and_breadcrumbs_render_on_their_own_without_a_request(settings):
    # As a leaflet includes them: nothing but the page is needed.
    settings.SITE_URL = "https://patientinfo.example.nhs.uk"
    settings.EMERGENCY_NUMBER = "112"
    condition = urgent_condition()
    card = render_to_string("includes/urgent_care_card.html", {"page": condition})
    assert "<li>you have new weakness or numbness in your legs</li>" in card
    assert 'href="tel:112"' in card and "<h2" in card
    crumbs = render_to_string("includes/breadcrumbs.html", {"page": condition})
    assert '"item": "https://patientinfo.example.nhs.uk/conditions/bone-pain-from-cancer/"' in crumbs
