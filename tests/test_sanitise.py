"""Rich text is sanitised on its way into the database, whatever path it takes."""

import json

import nh3
import pytest
import reversion
from django.core.management import call_command
from reversion.models import Version

from conditions.models import Condition
from publishing.sanitise import sanitise_html
from tests.conftest import change_form_data, make_condition

# Payloads from the OWASP XSS Filter Evasion Cheat Sheet, plus the editor-specific ones we refuse.
XSS_PAYLOADS = [
    "<script>alert('XSS')</script>",
    "<SCRIPT SRC=https://xss.example/xss.js></SCRIPT>",
    "<IMG SRC=\"javascript:alert('XSS');\">",
    "<IMG SRC=javascript:alert('XSS')>",
    "<IMG SRC=JaVaScRiPt:alert('XSS')>",
    "<IMG SRC=`javascript:alert(\"RSnake says, 'XSS'\")`>",
    '<IMG """><SCRIPT>alert("XSS")</SCRIPT>">',
    "<IMG SRC=javascript:alert(String.fromCharCode(88,83,83))>",
    "<IMG SRC=# onmouseover=\"alert('xxs')\">",
    '<IMG SRC=/ onerror="alert(String.fromCharCode(88,83,83))"></img>',
    '<img src=x onerror="&#0000106&#0000097&#0000118&#0000097&#0000115&#0000099&#0000114&#0000105&#0000112&#0000116&#0000058&#0000097&#0000108&#0000101&#0000114&#0000116&#0000040&#0000039&#0000088&#0000083&#0000083&#0000039&#0000041">',
    '<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;&#97;&#108;&#101;&#114;&#116;&#40;&#39;&#88;&#83;&#83;&#39;&#41;">click</a>',
    "<a href=\"jav&#x09;ascript:alert('XSS');\">tab</a>",
    "<a href=\"jav&#x0A;ascript:alert('XSS');\">newline</a>",
    "<a href=\" &#14;  javascript:alert('XSS');\">spaces</a>",
    '<SCRIPT/XSS SRC="https://xss.example/xss.js"></SCRIPT>',
    '<BODY onload!#$%&()*~+-_.,:;?@[/|\\]^`=alert("XSS")>',
    '<<SCRIPT>alert("XSS");//\\<</SCRIPT>',
    "<SCRIPT SRC=https://xss.example/xss.js?< B >",
    "<IFRAME SRC=\"javascript:alert('XSS');\"></IFRAME>",
    "<svg/onload=alert('XSS')>",
    "<BODY BACKGROUND=\"javascript:alert('XSS')\">",
    '<INPUT TYPE="IMAGE" SRC="javascript:alert(\'XSS\');">',
    "<STYLE>li {list-style-image: url(\"javascript:alert('XSS')\");}</STYLE><UL><LI>XSS</br>",
    "<DIV STYLE=\"background-image: url(javascript:alert('XSS'))\">",
    '<META HTTP-EQUIV="refresh" CONTENT="0;url=javascript:alert(\'XSS\');">',
    "<TABLE BACKGROUND=\"javascript:alert('XSS')\"><tr><td>x</td></tr></TABLE>",
    "<TD BACKGROUND=\"javascript:alert('XSS')\">",
    '<OBJECT TYPE="text/x-scriptlet" DATA="https://xss.example/scriptlet.html"></OBJECT>',
    '<EMBED SRC="data:image/svg+xml;base64,PHN2ZyB4bWxuczpzdmc9Imh0dH A6Ly93d3cudzMub3JnLzIwMDAvc3ZnIiB4bWxucz0iaHR0cDovL3d3dy53My5vcmcv">',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgnWFNTJyk8L3NjcmlwdD4=">data</a>',
    "<a href=\"vbscript:msgbox('XSS')\">vb</a>",
    '<FORM action="javascript:alert(1)"><button>go</button></FORM>',
    "<p style=\"color: expression(alert('XSS'))\">styled</p>",
    '<a href="//evil.example/phish">protocol-relative</a>',
    '<a href="http://insecure.example/">plain http</a>',
    "<!--[if gte IE 4]><SCRIPT>alert('XSS');</SCRIPT><![endif]-->",
    "<BASE HREF=\"javascript:alert('XSS');//\">",
    '<p onclick="alert(1)">click me</p>',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)></style></mglyph></table></mtext></math>",
]

FORBIDDEN = [
    "<script",
    "javascript:",
    "vbscript:",
    "data:",
    "onerror",
    "onload",
    "onclick",
    "onmouseover",
    "style=",
    "<style",
    "<iframe",
    "<img",
    "<svg",
    "<form",
    "<input",
    "<object",
    "<embed",
    "<meta",
    "<base",
    "background=",
    "//evil.example",
    "http://",
    "expression(",
]


def assert_harmless(html):
    lowered = html.lower()
    for marker in FORBIDDEN:
        assert marker not in lowered, f"{marker!r} survived in {html!r}"


def test_the_catalogue_has_at_least_twenty_payloads():
    assert len(XSS_PAYLOADS) >= 20


@pytest.mark.django_db
@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_payload_is_neutralised_when_stored_and_rendered(client, payload):
    condition = make_condition(what_it_is=f"<p>Before</p>{payload}<p>After</p>")

    stored = Condition.objects.values_list("what_it_is", flat=True).get(pk=condition.pk)
    assert_harmless(stored)
    assert "Before" in stored

    page = client.get(condition.get_absolute_url()).content.decode()
    rich_text = page.split('id="what-it-is-heading"', 1)[1].split("</section>", 1)[0]
    assert_harmless(rich_text)


def test_what_the_toolbar_makes_survives():
    html = (
        "<h3>Sub</h3><h4>Minor</h4><p><strong>bold</strong> <i>italic</i> "
        '<a href="https://www.nhs.uk/">https</a> <a href="/procedures/">site</a> '
        '<a href="mailto:ir@example.org">mail</a></p>'
        "<ul><li>one</li></ul><ol><li>two</li></ol><blockquote><p>quote</p></blockquote>"
        '<figure class="table"><table><thead><tr><th>Head</th></tr></thead>'
        '<tbody><tr><td colspan="2">Cell</td></tr></tbody></table></figure>'
    )
    cleaned = sanitise_html(html)
    for kept in [
        "<h3>Sub</h3>",
        "<h4>Minor</h4>",
        "<strong>bold</strong>",
        "<i>italic</i>",
        'href="https://www.nhs.uk/"',
        'href="/procedures/"',
        'href="mailto:ir@example.org"',
        "<ul><li>one</li></ul>",
        "<ol><li>two</li></ol>",
        "<blockquote>",
        "<th>Head</th>",
        '<td colspan="2">Cell</td>',
    ]:
        assert kept in cleaned
    assert 'class="table"' not in cleaned
    assert 'rel="noopener noreferrer"' in cleaned


@pytest.mark.django_db
def test_queryset_update_is_sanitised():
    condition = make_condition()
    Condition.objects.filter(pk=condition.pk).update(symptoms='<p onclick="x()">Tender</p><script>x()</script>')
    assert Condition.objects.values_list("symptoms", flat=True).get() == "<p>Tender</p>"


@pytest.mark.django_db
def test_bulk_create_is_sanitised():
    Condition.objects.bulk_create(
        [Condition(name="A", slug="a", summary="s", causes="<p>Cause</p><iframe src='https://x'></iframe>")]
    )
    assert Condition.objects.values_list("causes", flat=True).get() == "<p>Cause</p>"


@pytest.mark.django_db
def test_fixture_loading_is_sanitised(tmp_path):
    fixture = tmp_path / "conditions.json"
    fixture.write_text(
        json.dumps(
            [
                {
                    "model": "conditions.condition",
                    "pk": 50,
                    "fields": {
                        "name": "Fixture",
                        "slug": "fixture",
                        "summary": "s",
                        "status": "draft",
                        "created_at": "2026-01-01T00:00:00Z",
                        "updated_at": "2026-01-01T00:00:00Z",
                        "diagnosis": "<p>CT</p><img src=x onerror=alert(1)>",
                    },
                }
            ]
        )
    )
    call_command("loaddata", str(fixture), verbosity=0)
    assert Condition.objects.values_list("diagnosis", flat=True).get(pk=50) == "<p>CT</p>"


@pytest.mark.django_db
def test_the_saved_instance_holds_the_sanitised_text():
    condition = make_condition(what_it_is="<p>Safe</p><script>bad()</script>")
    assert condition.what_it_is == "<p>Safe</p>"


@pytest.mark.django_db
def test_admin_save_is_sanitised(staff_client):
    condition = make_condition()
    data = {
        "name": condition.name,
        "slug": condition.slug,
        "summary": condition.summary,
        "what_it_is": '<p>Edited</p><img src=x onerror="alert(1)"><a href="javascript:alert(1)">x</a>',
        "status": "draft",
        "opened_edit": condition.edit_count,
        "condition_procedures-TOTAL_FORMS": "0",
        "condition_procedures-INITIAL_FORMS": "0",
    }
    response = staff_client.post(f"/admin/conditions/condition/{condition.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    condition.refresh_from_db()
    assert condition.what_it_is == '<p>Edited</p><a rel="noopener noreferrer">x</a>'


@pytest.mark.django_db
def test_an_empty_editor_paragraph_is_stored_and_kept_as_nothing():
    condition = make_condition(symptoms="<p>&nbsp;</p>", causes="<p> </p><p><br></p>")
    assert (condition.symptoms, condition.causes) == ("", "")
    condition.refresh_from_db()
    assert (condition.symptoms, condition.causes) == ("", "")


@pytest.mark.django_db
def test_restoring_a_revision_is_sanitised():
    with reversion.create_revision():
        condition = make_condition(treatments="<p>Ablation</p>")
    version = Version.objects.get_for_object(condition).get()
    # A revision stored before the allowlist was tightened, or written by hand.
    data = json.loads(version.serialized_data)
    data[0]["fields"]["treatments"] = "<p>Ablation</p><script>steal()</script>"
    Version.objects.filter(pk=version.pk).update(serialized_data=json.dumps(data))
    Version.objects.get(pk=version.pk).revision.revert()
    assert Condition.objects.values_list("treatments", flat=True).get() == "<p>Ablation</p>"


def counting_sanitiser_calls(monkeypatch):
    """The HTML given to nh3, the sanitiser's real work, one entry per call."""
    calls = []
    clean = nh3.clean

    def counting(html, **options):
        calls.append(html)
        return clean(html, **options)

    monkeypatch.setattr(nh3, "clean", counting)
    return calls


@pytest.mark.django_db
def test_an_admin_save_cleans_each_rich_text_value_once(staff_client, monkeypatch):
    condition = make_condition(status="draft")
    url = condition.get_admin_url()
    sections = {name: f"<p>{heading}.</p><script>x()</script>" for name, heading in Condition.SECTIONS}
    data = change_form_data(staff_client, url, **sections)
    calls = counting_sanitiser_calls(monkeypatch)
    assert staff_client.post(url, data).status_code == 302
    assert sorted(calls) == sorted(sections.values())
    condition.refresh_from_db()
    assert condition.symptoms == "<p>Symptoms.</p>"


@pytest.mark.django_db
def test_a_save_from_code_cleans_each_rich_text_value_once(monkeypatch):
    sections = {name: f"<p>{heading}.</p><script>x()</script>" for name, heading in Condition.SECTIONS}
    calls = counting_sanitiser_calls(monkeypatch)
    make_condition(**sections)
    assert sorted(calls) == sorted(sections.values())


@pytest.mark.django_db
def test_text_added_to_sanitised_text_is_sanitised_again():
    condition = make_condition(what_it_is="<p>Safe</p>")
    condition.what_it_is += "<script>bad()</script>"
    condition.symptoms = condition.what_it_is.replace("Safe", 'Tender<img src=x onerror="bad()">')
    condition.save()
    assert (condition.what_it_is, condition.symptoms) == ("<p>Safe</p>", "<p>Tender</p>")
    assert Condition.objects.values_list("what_it_is", "symptoms").get() == ("<p>Safe</p>", "<p>Tender</p>")
