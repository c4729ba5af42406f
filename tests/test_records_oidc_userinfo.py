"""Issue 26, records: OpenID Connect sign-in when the ID token carries no email, against the real
provider of test_records_oidc (pyop) configured that way: the email from the userinfo endpoint,
Microsoft 365's upn, and a clear refusal when no usable email is given."""

from __future__ import annotations

import pytest

from test_records_oidc import follow_to_callback, oidc_service  # noqa: F401 (a fixture)
from test_records_support import Client

pytestmark = pytest.mark.slow  # runs the service and a provider


def test_the_email_only_in_userinfo_signs_the_person_in_chromium(browser, oidc_service):  # noqa: F811
    root, service, op = oidc_service
    op.user.clear()
    op.user.update({"id": "u-cat", "token": {}})  # an ID token without email
    op.users["u-cat"] = {"email": "Cat@School.org", "email_verified": True}
    page = browser.new_context(ignore_https_errors=True).new_page()
    page.goto(service.url + "/sign-in")
    page.get_by_role("link", name="Sign in with your school account").click()
    page.wait_for_url(service.url + "/training")
    assert "Cat Learner" in page.locator("main").inner_text()


def test_a_microsoft_upn_names_the_person_when_no_email_is_given(oidc_service):  # noqa: F811
    root, service, op = oidc_service
    op.user.clear()
    op.user.update({"id": "u-ann", "token": {"upn": "Ann@school.org"}})
    op.users["u-ann"] = {"name": "Ann"}  # userinfo without email either
    client = Client(service.url)
    response, _ = client.get(follow_to_callback(client, op))
    assert response.status == 303 and response.getheader("location") == "/training"
    assert "Ann Trainer" in client.get("/training")[1]


def test_no_usable_email_is_refused_with_what_to_do(oidc_service):  # noqa: F811
    root, service, op = oidc_service
    for token, info in (
            ({}, {"email": "bob@school.org", "email_verified": False}),  # unverified
            ({"preferred_username": "bob@school.org"}, {}),  # chosen by the person, elsewhere
            ({"email": "bob@school.org", "email_verified": False}, {"name": "Bob"})):
        op.user.clear()
        op.user.update({"id": "u-bob", "token": token})
        op.users["u-bob"] = info
        client = Client(service.url)
        response, text = client.get(follow_to_callback(client, op))
        assert response.status == 403, text
        assert "gave no email address this service can use" in text
        assert "Ask your IT administrator" in text and "sign-in link by email" in text
        assert "pk_records" not in client.cookies


def test_signed_in_by_the_school_account_the_person_comes_back_to_the_page(oidc_service):  # noqa: F811
    root, service, op = oidc_service
    op.user.clear()
    op.user.update({"id": "bob@school.org"})  # the email in the ID token
    client = Client(service.url)
    _, page = client.get("/sign-in?next=/read/social-media")
    assert 'href="/sign-in/oidc?next=/read/social-media"' in page
    response, _ = client.get(follow_to_callback(client, op, "/sign-in/oidc?next=/read/social-media"))
    assert response.getheader("location") == "/read/social-media"
    response, _ = client.get(follow_to_callback(client, op, "/sign-in/oidc?next=//evil.example"))
    assert response.getheader("location") == "/training"
