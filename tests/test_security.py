"""Security headers, login throttling, session expiry, password hashing and two-factor login."""

import datetime
import subprocess
import sys
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import Argon2PasswordHasher
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from radiology_site import settings as project_settings
from tests.conftest import logged_in, make_case, make_condition, make_staff
from tests.html import Outline
from tests.test_settings import ROOT, clean_environment

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery"
LOGIN_URL = "/admin/login/"
PRODUCTION = {
    "DJANGO_SECRET_KEY": "a-production-secret-that-is-long-and-random-0123456789-abcdefghijklmnop",
    "DJANGO_ALLOWED_HOSTS": "patientinfo.example.org",
    "DJANGO_CSRF_TRUSTED_ORIGINS": "https://patientinfo.example.org",
    "SITE_URL": "https://patientinfo.example.org",
}


def directives(response):
    policy = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in policy.split("; ")}


# Headers


@pytest.mark.parametrize("path", ["/", "/conditions/", "/procedures/", "/search/?q=bone", "/nope/"])
def test_public_pages_send_a_strict_content_security_policy(client, path):
    policy = directives(client.get(path))
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["img-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]


def test_the_admin_policy_allows_inline_styles_for_ckeditor_but_no_inline_script(staff_client):
    policy = directives(staff_client.get("/admin/conditions/condition/add/"))
    assert policy["style-src"] == ["'self'", "'unsafe-inline'"]
    assert policy["script-src"] == ["'self'"]
    assert "data:" in policy["img-src"]


def test_public_pages_have_no_inline_script_or_style_and_nothing_third_party(client):
    condition = make_condition()
    make_case(condition, images=2)
    for path in ["/", "/conditions/", condition.get_absolute_url(), "/procedures/", "/search/?q=bone", "/nope/"]:
        outline = Outline(client.get(path).content.decode())
        assert not outline.find_all("style"), path
        assert [attrs for _, attrs in outline.tags if "style" in attrs or "onload" in attrs] == [], path
        # JSON-LD is data that browsers never run (the policy need not allow it); every other script is a file.
        scripts = [attrs for attrs in outline.find_all("script") if attrs.get("type") != "application/ld+json"]
        loaded = [attrs["src"] for attrs in scripts + outline.find_all("img")]
        loaded += [attrs["href"] for attrs in outline.find_all("link") if attrs["rel"] in {"stylesheet", "icon"}]
        assert loaded and all(url.startswith("/") and not url.startswith("//") for url in loaded), (path, loaded)


@pytest.mark.parametrize("path", ["/", "/conditions/", "/admin/login/"])
def test_every_response_sends_the_security_headers(client, path):
    response = client.get(path)
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def test_https_responses_send_hsts_for_a_year_in_production(client):
    response = client.get("/", secure=True)
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"


def test_http_is_redirected_to_https_in_production(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    response = client.get("/conditions/")
    assert response.status_code == 301
    assert response["Location"] == "https://testserver/conditions/"
    # nginx says the visitor came over HTTPS.
    assert client.get("/conditions/", headers={"X-Forwarded-Proto": "https"}).status_code == 200


def production_settings(*names, **env):
    code = "from django.conf import settings; print(" + ", ".join(f"settings.{name}" for name in names) + ")"
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**clean_environment(), "DJANGO_SETTINGS_MODULE": "radiology_site.settings", **env},
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


def test_production_defaults_are_secure_and_debug_relaxes_them():
    names = ("SECURE_SSL_REDIRECT", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "SECURE_HSTS_SECONDS")
    assert production_settings(*names, **PRODUCTION) == ["True", "True", "True", "31536000"]
    assert production_settings(*names, DJANGO_DEBUG="1") == ["False", "False", "False", "0"]


# Passwords, sessions, login throttling


def test_passwords_are_hashed_with_argon2_in_production():
    # The suite itself uses a fast hasher (conftest), so read the project's settings file directly.
    assert project_settings.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    hasher = Argon2PasswordHasher()  # needs argon2-cffi, a runtime requirement
    encoded = hasher.encode(PASSWORD, hasher.salt())
    assert encoded.startswith("argon2$argon2id$")
    assert hasher.verify(PASSWORD, encoded)


def test_staff_sessions_last_thirty_minutes_of_inactivity_by_default():
    assert project_settings.SESSION_COOKIE_AGE == 30 * 60
    assert project_settings.SESSION_SAVE_EVERY_REQUEST is True


def at(monkeypatch, moment):
    monkeypatch.setattr(timezone, "now", lambda: moment)


def test_a_staff_session_ends_after_thirty_idle_minutes(staff_client, monkeypatch):
    start = timezone.now()
    at(monkeypatch, start)
    assert staff_client.get("/admin/").status_code == 200
    at(monkeypatch, start + datetime.timedelta(minutes=31))
    response = staff_client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN_URL)


def test_activity_keeps_a_staff_session_alive(staff_client, monkeypatch):
    start = timezone.now()
    for minutes in (0, 25, 50, 75):
        at(monkeypatch, start + datetime.timedelta(minutes=minutes))
        assert staff_client.get("/admin/").status_code == 200, minutes


def test_a_staff_session_ends_twelve_hours_after_login_however_busy(staff_client, monkeypatch):
    start = timezone.now()
    for minutes in range(0, 12 * 60, 25):
        at(monkeypatch, start + datetime.timedelta(minutes=minutes))
        assert staff_client.get("/admin/").status_code == 200, minutes
    at(monkeypatch, start + datetime.timedelta(hours=12, minutes=1))
    response = staff_client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN_URL)
    # Ended for good: the session is gone, not merely refused this once.
    at(monkeypatch, start + datetime.timedelta(hours=12, minutes=2))
    assert staff_client.get("/admin/").status_code == 302


def test_a_session_ended_by_its_lifetime_leaves_two_factor_login_working(staff_client, monkeypatch, settings):
    settings.ADMIN_REQUIRES_2FA = True
    settings.SESSION_MAX_AGE = datetime.timedelta(minutes=10)
    start = timezone.now()
    at(monkeypatch, start)
    staff_client.get("/admin/")
    at(monkeypatch, start + datetime.timedelta(minutes=11))
    response = staff_client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN_URL)


def test_the_session_lifetime_is_configurable():
    assert production_settings("SESSION_MAX_AGE", DJANGO_SESSION_MAX_HOURS="8", **PRODUCTION) == ["8:00:00"]


def test_cookies_carry_the_host_prefix_when_secure(client, staff_user):
    assert production_settings("SESSION_COOKIE_NAME", "CSRF_COOKIE_NAME", **PRODUCTION) == [
        "__Host-sessionid",
        "__Host-csrftoken",
    ]
    assert production_settings("SESSION_COOKIE_NAME", "CSRF_COOKIE_NAME", DJANGO_DEBUG="1") == [
        "sessionid",
        "csrftoken",
    ]
    # The suite runs with secure cookies, as production does. Browsers keep a __Host- cookie only if
    # it is Secure, for the path / and for no Domain.
    response = log_in(client, "editor", PASSWORD)
    for name in ("__Host-sessionid", "__Host-csrftoken"):
        cookie = response.cookies[name]
        assert cookie["secure"] is True and cookie["path"] == "/" and not cookie["domain"], name


def test_the_idle_timeout_is_configurable():
    assert production_settings("SESSION_COOKIE_AGE", DJANGO_SESSION_IDLE_MINUTES="10", **PRODUCTION) == ["600"]


def test_deactivating_a_user_ends_their_sessions_for_good(roles):
    nurse, colleague = make_staff("nurse", "Editors"), make_staff("colleague", "Editors")
    nurse_client, colleague_client = logged_in(nurse), logged_in(colleague)
    assert nurse_client.get("/admin/").status_code == 200
    nurse.is_active = False
    nurse.save()
    # Re-activated a minute later, the account does not get its old session back.
    nurse.is_active = True
    nurse.save()
    response = nurse_client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN_URL)
    assert colleague_client.get("/admin/").status_code == 200


def test_staff_passwords_need_twelve_characters(staff_client):
    with pytest.raises(ValidationError, match="at least 12 characters"):
        validate_password("Pat12345")
    validate_password("Pat12345 on ward 7")
    form = {"username": "pat", "usable_password": "true", "password1": "Pat12345", "password2": "Pat12345"}
    response = staff_client.post("/admin/auth/user/add/", form)
    assert "at least 12 characters" in response.content.decode()
    assert not get_user_model().objects.filter(username="pat").exists()


@pytest.mark.parametrize("password", ["password1234", "nurse.patel.2026"])
def test_long_passwords_that_are_common_or_like_the_username_are_still_refused(password):
    user = get_user_model()(username="nurse.patel", email="nurse.patel@example.org")
    with pytest.raises(ValidationError):
        validate_password(password, user)


def log_in(client, username, password, address="203.0.113.7"):
    # nginx passes the visitor's address in X-Real-IP (deploy/nginx.conf).
    data = {"username": username, "password": password, "next": "/admin/"}
    return client.post(LOGIN_URL, data, headers={"X-Real-IP": address})


def test_repeated_failed_logins_lock_the_account_from_that_address(client, staff_user):
    for _ in range(4):
        response = log_in(client, "editor", "wrong password")
        assert response.status_code == 200
        assert "Please enter the correct username and password" in response.content.decode()
    response = log_in(client, "editor", "wrong password")
    assert response.status_code == 429
    assert "Too many attempts to log in" in response.content.decode()
    assert "Please wait 15 minutes" in response.content.decode()
    # Even the right password is refused while locked.
    assert log_in(client, "editor", PASSWORD).status_code == 429


def test_the_lockout_message_does_not_reveal_whether_the_user_exists(client, staff_user):
    pages = {}
    for username in ("editor", "nobody-by-this-name"):
        for _ in range(5):
            response = log_in(client, username, "wrong password")
        assert response.status_code == 429
        pages[username] = response.content.decode()
    assert pages["editor"] == pages["nobody-by-this-name"]
    assert "editor" not in pages["editor"]


def test_a_locked_account_can_still_log_in_from_elsewhere_and_others_from_there(client, staff_user, django_user_model):
    django_user_model.objects.create_superuser("nurse", "nurse@example.org", PASSWORD)
    for _ in range(5):
        log_in(client, "editor", "wrong password")
    assert log_in(client, "editor", PASSWORD, address="198.51.100.20").status_code == 302
    client.logout()
    assert log_in(client, "nurse", PASSWORD).status_code == 302


def test_a_successful_login_clears_earlier_failures(client, staff_user):
    for _ in range(4):
        log_in(client, "editor", "wrong password")
    assert log_in(client, "editor", PASSWORD).status_code == 302
    client.logout()
    for _ in range(4):
        assert log_in(client, "editor", "wrong password").status_code == 200


EVIL_NEXT = "?next=https://evil.example/"


def test_a_login_asked_to_go_off_site_lands_on_the_admin_home(client, staff_user):
    page = Outline(client.get(LOGIN_URL + EVIL_NEXT).content.decode())
    assert page.find_all("input", name="next") == [{"type": "hidden", "name": "next", "value": ""}]
    # What that page's form posts: an empty next field, to the page's own address, query and all.
    data = {"username": "editor", "password": PASSWORD, "next": ""}
    response = client.post(LOGIN_URL + EVIL_NEXT, data, headers={"X-Real-IP": "203.0.113.7"})
    assert response.status_code == 302
    assert response["Location"] == "/admin/"
    client.logout()
    data["next"] = "https://evil.example/"
    response = client.post(LOGIN_URL, data, headers={"X-Real-IP": "203.0.113.7"})
    assert response["Location"] == "/admin/"


def test_a_login_still_goes_to_a_page_on_this_site_it_was_asked_for(client, staff_user):
    data = {"username": "editor", "password": PASSWORD, "next": "/admin/conditions/condition/"}
    response = client.post(LOGIN_URL, data, headers={"X-Real-IP": "203.0.113.7"})
    assert response["Location"] == "/admin/conditions/condition/"


@pytest.mark.parametrize("query", ["", EVIL_NEXT])
def test_logging_out_ends_on_the_admin_logged_out_page(staff_client, query):
    response = staff_client.post("/admin/logout/" + query, follow=True)
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == "/admin/logged-out/"
    page = response.content.decode()
    assert "Logged out" in page and "Log in again" in page
    assert "evil.example" not in page
    assert staff_client.get("/admin/").status_code == 302


def test_a_logout_still_goes_to_a_page_on_this_site_it_was_asked_for(staff_client):
    response = staff_client.post("/admin/logout/?next=/conditions/")
    assert response["Location"] == "/conditions/"


SPRAYER = "203.0.113.66"


def spray(client, count, address=SPRAYER, start=0):
    """Failed logins from one address, each for a different username, as in password spraying."""
    return [log_in(client, f"user-{start + number}", "Winter2026!", address).status_code for number in range(count)]


def test_one_address_trying_many_usernames_is_locked_out(client, staff_user):
    assert spray(client, 49) == [200] * 49
    response = log_in(client, "user-49", "Winter2026!", SPRAYER)
    assert response.status_code == 429
    assert "Too many attempts to log in" in response.content.decode()
    assert "Please wait 60 minutes" in response.content.decode()
    # Everyone at that address waits, even with the right password; other addresses do not.
    assert log_in(client, "editor", PASSWORD, SPRAYER).status_code == 429
    assert log_in(client, "editor", PASSWORD, "198.51.100.20").status_code == 302


def test_a_hospital_behind_one_address_is_not_locked_out_by_everyday_mistakes(client, staff_user):
    assert spray(client, 49) == [200] * 49
    assert log_in(client, "editor", PASSWORD, SPRAYER).status_code == 302


def test_an_address_may_try_again_an_hour_after_its_failures(client, staff_user, monkeypatch):
    start = timezone.now()
    at(monkeypatch, start)
    spray(client, 50)
    at(monkeypatch, start + datetime.timedelta(minutes=59))
    assert log_in(client, "editor", PASSWORD, SPRAYER).status_code == 429
    at(monkeypatch, start + datetime.timedelta(minutes=61))
    assert log_in(client, "editor", PASSWORD, SPRAYER).status_code == 302


def test_logins_refused_while_an_address_is_locked_do_not_keep_it_locked(client, staff_user, monkeypatch, settings):
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 10
    start = timezone.now()
    at(monkeypatch, start)
    spray(client, 10)
    # Colleagues behind the same address keep trying while it is locked.
    at(monkeypatch, start + datetime.timedelta(minutes=30))
    assert spray(client, 10, start=100) == [429] * 10
    at(monkeypatch, start + datetime.timedelta(minutes=61))
    assert log_in(client, "editor", PASSWORD, SPRAYER).status_code == 302


def test_a_successful_login_does_not_reset_an_address_count(client, staff_user):
    spray(client, 49)
    assert log_in(client, "editor", PASSWORD, SPRAYER).status_code == 302
    client.logout()
    assert log_in(client, "user-49", "Winter2026!", SPRAYER).status_code == 429


def test_one_username_tried_from_many_addresses_is_locked_out_for_a_short_while(client, staff_user, monkeypatch):
    start = timezone.now()
    at(monkeypatch, start)
    statuses = [log_in(client, "editor", "wrong password", f"198.51.100.{number}").status_code for number in range(30)]
    assert statuses == [200] * 9 + [429] * 21
    # Locked from everywhere, with the right password too, but only for five minutes.
    response = log_in(client, "editor", PASSWORD, "192.0.2.1")
    assert response.status_code == 429
    assert "Please wait 5 minutes" in response.content.decode()
    assert "editor" not in response.content.decode()
    at(monkeypatch, start + datetime.timedelta(minutes=6))
    assert log_in(client, "editor", PASSWORD, "192.0.2.1").status_code == 302


def test_resetting_an_address_or_username_lifts_its_lockout(client, staff_user):
    spray(client, 50)
    call_command("axes_reset_ip", SPRAYER, stdout=StringIO())
    assert log_in(client, "editor", PASSWORD, SPRAYER).status_code == 302
    client.logout()
    for number in range(10):
        log_in(client, "editor", "wrong password", f"198.51.100.{number}")
    call_command("axes_reset_username", "editor", stdout=StringIO())
    assert log_in(client, "editor", PASSWORD, "192.0.2.1").status_code == 302


def test_the_address_and_username_limits_are_configurable():
    names = ("LOGIN_ADDRESS_FAILURE_LIMIT", "LOGIN_ADDRESS_COOLOFF_TIME", "LOGIN_USERNAME_FAILURE_LIMIT")
    env = {
        "DJANGO_LOGIN_ADDRESS_FAILURE_LIMIT": "200",
        "DJANGO_LOGIN_ADDRESS_LOCKOUT_MINUTES": "30",
        "DJANGO_LOGIN_USERNAME_FAILURE_LIMIT": "25",
    }
    assert production_settings(*names, **env, **PRODUCTION) == ["200", "0:30:00", "25"]
    assert production_settings(
        "LOGIN_USERNAME_COOLOFF_TIME", DJANGO_LOGIN_USERNAME_LOCKOUT_MINUTES="2", **PRODUCTION
    ) == ["0:02:00"]


# Two-factor login


def test_without_the_setting_a_password_is_enough(client, staff_user):
    assert "otp_token" not in client.get(LOGIN_URL).content.decode()
    assert log_in(client, "editor", PASSWORD).status_code == 302


@pytest.fixture
def two_factor(settings):
    settings.ADMIN_REQUIRES_2FA = True


def test_with_two_factor_on_the_login_form_asks_for_a_code(client, two_factor):
    assert 'name="otp_token"' in client.get(LOGIN_URL).content.decode()


def test_with_two_factor_on_a_password_alone_is_refused(client, staff_user, two_factor):
    response = log_in(client, "editor", PASSWORD)
    assert response.status_code == 200
    assert client.get("/admin/").status_code == 302


def test_with_two_factor_on_staff_log_in_with_a_code_from_their_app(client, staff_user, two_factor):
    device = TOTPDevice.objects.create(user=staff_user, name="Phone", confirmed=True)
    code = f"{totp(device.bin_key):06d}"
    data = {"username": "editor", "password": PASSWORD, "otp_device": device.persistent_id, "otp_token": code}
    response = client.post(LOGIN_URL, data, headers={"X-Real-IP": "203.0.113.7"})
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200


def test_with_two_factor_on_a_wrong_code_is_refused(client, staff_user, two_factor):
    device = TOTPDevice.objects.create(user=staff_user, name="Phone", confirmed=True)
    data = {"username": "editor", "password": PASSWORD, "otp_device": device.persistent_id, "otp_token": "000000"}
    response = client.post(LOGIN_URL, data)
    assert response.status_code == 200
    assert client.get("/admin/").status_code == 302


def test_staff_enrol_an_authenticator_app_from_a_qr_code_in_the_admin(staff_client, staff_user):
    assert staff_client.get("/admin/otp_totp/totpdevice/add/").status_code == 200
    device = TOTPDevice.objects.create(user=staff_user, name="Work phone", confirmed=True)
    response = staff_client.get(f"/admin/otp_totp/totpdevice/{device.pk}/qrcode/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("image/svg+xml")


def test_a_forced_login_without_a_device_does_not_get_past_two_factor(staff_client, two_factor):
    response = staff_client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN_URL)
