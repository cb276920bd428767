"""A NUL character in an admin URL is refused with a 400: PostgreSQL cannot compare text holding one."""

import pytest

pytestmark = pytest.mark.django_db

AUTOCOMPLETE = "/admin/autocomplete/?app_label=conditions&model_name=conditionprocedure&field_name=procedure"


@pytest.mark.parametrize(
    "url",
    [
        "/admin/conditions/condition/?status=%00",
        "/admin/conditions/condition/?q=bone%00pain",
        "/admin/procedures/procedure/?%00=1",
        AUTOCOMPLETE + "&term=%00",
        # reversion looks an object's history up by its id as text.
        "/admin/conditions/condition/%00/history/",
    ],
)
def test_an_admin_url_with_a_nul_character_is_a_bad_request(staff_client, url):
    response = staff_client.get(url)
    assert response.status_code == 400


def test_the_same_admin_urls_without_one_work(staff_client):
    assert staff_client.get("/admin/conditions/condition/?status=draft").status_code == 200
    assert staff_client.get("/admin/conditions/condition/?q=bone").status_code == 200
    response = staff_client.get(AUTOCOMPLETE + "&term=vert")
    assert response.status_code == 200
    assert response.json() == {"results": [], "pagination": {"more": False}}


def test_public_search_still_cleans_a_nul_character_itself(client):
    assert client.get("/search/?q=bone%00pain").status_code == 200
