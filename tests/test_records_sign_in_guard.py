"""Issue 26, records: the sign-in forms carry a CSRF token (there is no session yet: it is bound
to a form cookie), and sign-in links are limited per email (whatever its case) and per network
address, which X-Forwarded-For may name only when it comes from a trusted proxy."""

from __future__ import annotations

import datetime as dt
import re
import sqlite3

import pytest

from test_records_support import Client, Service, policykit, records_project

pytestmark = pytest.mark.slow  # runs policykit and its service in subprocesses
DB = ".policykit/records.sqlite3"


def requests_of(root, sql: str = "select email, ip from sign_in_requests order by id") -> list:
    with sqlite3.connect(root / DB) as db:
        return db.execute(sql).fetchall()


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    return records_project(tmp_path_factory.mktemp("records-guard"))


def test_a_sign_in_form_without_its_token_or_with_a_forged_one_is_refused(project):
    with Service(project) as service:
        mallory, bob = Client(service.url), Client(service.url)
        forged = mallory.csrf("/sign-in")  # a token of another browser's form cookie
        bob.get("/sign-in")
        for form in ({"email": "bob@school.org"}, {"email": "bob@school.org", "csrf": forged},
                     {"email": "bob@school.org", "csrf": ""}):
            response, text = bob.post("/sign-in", form)
            assert response.status == 403
            assert "Open the sign-in page again and send the form from there" in text
            assert 'href="/sign-in"' in text
        assert Client(service.url).post("/sign-in", {"email": "bob@school.org",
                                                     "csrf": forged})[0].status == 403
        assert requests_of(project) == []  # no request counted, no link made
        response, text = bob.ask_link("bob@school.org")
        assert response.status == 200 and "a sign-in link is on its way" in text
        link = service.link_for("bob@school.org")
        response, _ = bob.post(link.removeprefix(service.url), {})  # the button's token missing
        assert response.status == 403 and "pk_records" not in bob.cookies
        response, _ = bob.post(link.removeprefix(service.url), {"csrf": forged})
        assert response.status == 403 and "pk_records" not in bob.cookies
        response, _ = bob.spend(link)  # the refused posts did not spend the link
        assert response.status == 303 and "pk_records" in bob.cookies


def test_links_are_limited_per_email_whatever_its_case_and_the_page_says_when_to_retry(
        project):
    with Service(project) as service:
        client = Client(service.url)
        spellings = ["Cat@School.org", "CAT@SCHOOL.ORG", " cat@school.org ", "cat@School.ORG",
                     "cAt@school.org", "CAT@school.org"]
        statuses = [client.ask_link(email)[0].status for email in spellings[:5]]
        assert statuses == [200] * 5
        response, text = client.ask_link(spellings[5])
        assert response.status == 429
        first = min(dt.datetime.fromisoformat(at) for (at,) in requests_of(
            project, "select at from sign_in_requests where email = 'cat@school.org'"))
        until = (first + dt.timedelta(minutes=15)).strftime("%H:%M")
        assert "Too many sign-in links were requested for that email address" in text
        assert f"Try again after {until} UTC" in text
        assert 0 < int(response.getheader("retry-after")) <= 15 * 60
        assert [e for e, _ in requests_of(project)].count("cat@school.org") == 5
        assert client.ask_link("ann@school.org")[0].status == 200  # another address may


def test_links_are_limited_per_network_address_which_a_header_cannot_change(tmp_path):
    root = records_project(tmp_path)
    with Service(root, extra=("--print-sign-in-links", "--links-per-ip", "3")) as service:
        client = Client(service.url)
        spoofed = [{"X-Forwarded-For": f"203.0.113.{n}"} for n in range(5)]
        statuses = [client.ask_link(f"person{n}@school.org", spoofed[n])[0].status
                    for n in range(5)]
        assert statuses == [200, 200, 200, 429, 429]
        response, text = client.ask_link("ann@school.org")
        assert response.status == 429 and "requested from your network" in text
    assert {ip for _, ip in requests_of(root)} == {"127.0.0.1"}  # the header was ignored


def test_behind_a_trusted_proxy_x_forwarded_for_names_the_client(tmp_path):
    root = records_project(tmp_path)
    extra = ("--print-sign-in-links", "--links-per-ip", "2", "--trusted-proxy", "127.0.0.1")
    with Service(root, extra=extra) as service:
        client = Client(service.url)
        for n in range(3):  # three clients behind the proxy, two links each
            who = {"X-Forwarded-For": f"198.51.100.7, 203.0.113.{n}"}
            assert [client.ask_link(f"p{n}-{k}@school.org", who)[0].status
                    for k in range(3)] == [200, 200, 429]
    assert sorted({ip for _, ip in requests_of(root)}) == [
        "203.0.113.0", "203.0.113.1", "203.0.113.2"]  # the address the proxy saw


def test_serve_refuses_a_trusted_proxy_or_a_limit_it_cannot_use(tmp_path):
    root = records_project(tmp_path)
    for flags, said in ((("--trusted-proxy", "nginx"), "--trusted-proxy 'nginx' is not an IP"),
                        (("--links-per-email", "0"), "--links-per-email 0: give a number")):
        result = policykit(root, "records", "serve", "--print-sign-in-links", *flags)
        assert result.returncode == 2 and said in result.stderr, result.stderr
        assert "Traceback" not in result.stderr


def test_signed_in_the_person_comes_back_to_the_page_asked_for_and_never_elsewhere(tmp_path):
    with Service(records_project(tmp_path)) as service:
        client = Client(service.url)
        response, _ = client.get("/quiz/social-media-induction")
        assert response.getheader("location") == "/sign-in?next=/quiz/social-media-induction"
        _, page = client.get("/sign-in?next=/quiz/social-media-induction")
        then = re.search(r'name="next" value="([^"]*)"', page)[1]
        client.post("/sign-in", {"email": "ann@school.org", "next": then,
                                 "csrf": client.csrf("/sign-in")})
        link = service.link_for("ann@school.org").removeprefix(service.url)
        assert link.endswith("?next=/quiz/social-media-induction")
        _, page = client.get(link)
        form = {k: re.search(rf'name="{k}" value="([^"]*)"', page)[1] for k in ("csrf", "next")}
        response, _ = client.post(link.partition("?")[0], form)
        assert response.status == 303
        assert response.getheader("location") == "/quiz/social-media-induction"
        for elsewhere in ("https://evil.example/", "//evil.example/x", "/\\evil.example",
                          "/quiz/../../evil", "/training?x=https://evil.example"):
            _, page = client.get(f"/sign-in?next={elsewhere}")
            assert 'name="next" value="/training"' in page
            bob = Client(service.url)
            bob.post("/sign-in", {"email": "bob@school.org", "next": elsewhere,
                                  "csrf": bob.csrf("/sign-in")})
            link = service.link_for("bob@school.org").removeprefix(service.url)
            assert "?" not in link
            response, _ = bob.post(link, {"csrf": bob.csrf(link), "next": elsewhere})
            assert response.getheader("location") == "/training"
