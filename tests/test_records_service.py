"""Issue 26, records: the service run as `policykit records serve`, over HTTP on loopback:
one-time sign-in links (replayed, expired, rate-limited), cookies and headers, roles on every
request, CSRF, answers never sent before submit, tampered answers, another learner's attempt,
two tabs submitting one attempt, and a SIGKILL during submissions losing nothing acknowledged."""

from __future__ import annotations

import concurrent.futures
import re
import sqlite3
import threading

import pytest

from policykit.site.csp import policy_for
from policykit.source.project import load_project
from policykit.quiz.document import quiz_document
from test_records_support import ROSTER, Client, Service, policykit, records_project

DB = ".policykit/records.sqlite3"
QUIZ = "/quiz/social-media-induction"

pytestmark = pytest.mark.slow  # runs policykit and its service in subprocesses



@pytest.fixture(scope="module")
def running(tmp_path_factory):
    hostile = ROSTER + 'eve@school.org,"<img src=x onerror=alert(1)> =HYPERLINK(""x"")",' \
        "support-staff,2026-02-01,staff\ndan@school.org,Dan,volunteers,2026-02-01,staff\n"
    root = records_project(tmp_path_factory.mktemp("records"), roster=hostile)
    with Service(root) as service:
        yield root, service


@pytest.fixture(scope="module")
def doc(running):
    project, _ = load_project(running[0])
    return quiz_document(project, project.quizzes[0])


_SIGNED_IN: dict = {}


def signed_in(service: Service, email: str) -> Client:
    """A client signed in as email: once per service (sign-in requests are rate-limited)."""
    if (service, email) not in _SIGNED_IN:
        _SIGNED_IN[service, email] = fresh_sign_in(service, email)
    return _SIGNED_IN[service, email]


def fresh_sign_in(service: Service, email: str) -> Client:
    client = Client(service.url)
    response, _ = client.sign_in(service, email)
    assert response.status == 303 and response.getheader("location") == "/training"
    return client


def rows(root, sql: str, *args) -> list:
    with sqlite3.connect(root / DB) as db:
        return db.execute(sql, args).fetchall()


def right_answers(doc, text: str, wrong: set[str] = frozenset()) -> dict:
    """A form answering the quiz page's questions: right except those in wrong."""
    form = {"ticket": re.search(r'name="ticket" value="([^"]+)"', text)[1],
            "csrf": re.search(r'name="csrf" value="([^"]+)"', text)[1]}
    for qid in re.findall(r'data-question="([^"]+)"', text):
        correct = list(doc.question(qid).correct)
        if qid in wrong:
            correct = [next(o.index for o in doc.question(qid).options if not o.correct)]
        form[f"q-{qid}"] = correct
    return form


def test_a_sign_in_link_works_once_and_sets_a_safe_cookie(running):
    root, service = running
    client = Client(service.url)
    client.ask_link("bob@school.org")
    link = service.link_for("bob@school.org").removeprefix(service.url)
    response, text = client.get(link)  # opening the link (a mail scanner may) spends nothing
    assert response.status == 200 and "Sign in to my training records" in text
    response, _ = client.spend(link)
    assert response.status == 303
    cookie = response.getheader("set-cookie")
    assert "HttpOnly" in cookie and "Secure" in cookie and "SameSite=lax" in cookie
    response, text = client.get("/training")
    assert response.status == 200 and "Bob Learner" in text
    assert response.getheader("content-security-policy") == policy_for(text)
    assert response.getheader("referrer-policy") == "same-origin"
    replay = Client(service.url)
    response, text = replay.spend(link)
    assert response.status == 400 and "used or has expired" in text
    assert replay.get("/training")[0].getheader("location") == "/sign-in"


def test_an_expired_link_and_an_expired_session_sign_nobody_in(running):
    root, service = running
    client = Client(service.url)
    client.ask_link("dan@school.org")
    link = service.link_for("dan@school.org").removeprefix(service.url)
    with sqlite3.connect(root / DB) as db:
        db.execute("update sign_in_links set expires_at = '2000-01-01 00:00:00'")
    response, text = client.spend(link)
    assert response.status == 400 and "pk_records" not in client.cookies
    client = fresh_sign_in(service, "dan@school.org")
    assert client.get("/training")[0].status == 200
    with sqlite3.connect(root / DB) as db:
        db.execute("update sessions set expires_at = '2000-01-01 00:00:00' where person_id = "
                   "(select id from staff where email = 'dan@school.org')")
    response, _ = client.get("/training")
    assert response.status == 303 and response.getheader("location") == "/sign-in"


def test_sign_in_requests_are_rate_limited_and_say_nothing_of_who_is_known(running):
    root, service = running
    client = Client(service.url)
    unknown = client.ask_link("nobody@school.org")[1]
    assert "If that address is on the staff roster" in unknown
    statuses = [client.ask_link("limit@school.org")[0].status for _ in range(7)]
    assert statuses == [200] * 5 + [429] * 2


def test_a_staff_member_cannot_open_the_matrix_and_a_trainer_sees_it_escaped(running):
    root, service = running
    staff = signed_in(service, "bob@school.org")
    assert staff.get("/matrix")[0].status == 403
    assert staff.get("/matrix.csv")[0].status == 403
    assert Client(service.url).get("/matrix")[0].getheader("location") == \
        "/sign-in?next=/matrix"
    trainer = signed_in(service, "ann@school.org")
    response, text = trainer.get("/matrix?role=support-staff")
    assert response.status == 200
    assert 'data-email="bob@school.org"' in text and 'data-email="ann@school.org"' not in text
    assert "<img" not in text and "&lt;img src=x onerror=alert(1)&gt;" in text
    response, text = trainer.get("/matrix.csv")
    assert response.status == 200 and text.startswith("email,name,role,item")


def test_a_forged_csrf_token_records_nothing(running, doc):
    root, service = running
    client = signed_in(service, "cat@school.org")
    before = rows(root, "select count(*) from confirmations")
    response, text = client.post("/read/social-media", {"version": "2023.1", "csrf": "forged"})
    assert response.status == 403 and "did not come from this service" in text
    response, _ = client.post("/read/social-media", {"version": "2023.1"})
    assert response.status == 403
    assert rows(root, "select count(*) from confirmations") == before


def test_a_confirmation_is_recorded_with_its_version_and_audited(running):
    root, service = running
    client = signed_in(service, "cat@school.org")
    response, _ = client.post("/read/social-media", {"version": "2023.1",
                                                     "csrf": client.csrf("/read/social-media")})
    assert response.status == 303
    assert rows(root, "select s.email, c.policy, c.version from confirmations c join staff s "
                "on s.id = c.person_id where s.email = 'cat@school.org'") == [
        ("cat@school.org", "social-media", "2023.1")]
    assert rows(root, "select actor, detail from audit where action = 'confirmed' and actor = "
                "'cat@school.org'") == [("cat@school.org", "social-media 2023.1")]
    assert 'data-item="policy:social-media"' in client.get("/training")[1]
    stale = client.post("/read/social-media", {"version": "2022.1",
                                               "csrf": client.csrf("/read/social-media")})
    assert stale[0].status == 409


def test_the_quiz_page_never_holds_the_answers_and_the_server_marks(running, doc):
    root, service = running
    client = signed_in(service, "bob@school.org")
    response, text = client.get(QUIZ)
    assert response.status == 200
    asked = re.findall(r'data-question="([^"]+)"', text)
    assert len(asked) == doc.draw
    for qid in asked:
        question = doc.question(qid)
        assert question.explanation not in text
        for option in question.options:
            assert option.feedback not in text
    assert "correct" not in text.lower()
    response, result = client.post(QUIZ, right_answers(doc, text))
    assert response.status == 200 and "Recorded: 100% — passed." in result
    assert rows(root, "select score, passed, failed_critical from attempts a join staff s on "
                "s.id = a.person_id where s.email = 'bob@school.org'") == [(100, 1, 0)]


def test_tampered_answers_count_as_wrong_and_a_critical_one_fails(running, doc):
    root, service = running
    client = signed_in(service, "cat@school.org")
    _, text = client.get(QUIZ)
    form = right_answers(doc, text)
    critical = next(q for q in re.findall(r'data-question="([^"]+)"', text)
                    if doc.question(q).critical)
    form[f"q-{critical}"] = ["99", "-1", "x"]  # options that do not exist
    form["q-not-asked"] = ["0"]
    form["score"] = "100"
    form["person_id"] = "1"
    response, result = client.post(QUIZ, form)
    assert "not passed" in result and "must be answered right" in result
    score, passed, failed = rows(root, "select score, passed, failed_critical from attempts a "
                                 "join staff s on s.id = a.person_id where s.email = "
                                 "'cat@school.org'")[-1]
    assert (passed, failed) == (0, 1) and score < 100
    export = policykit(root, "records", "export").stdout
    assert "cat@school.org,Cat Learner,support-staff,quiz:social-media-induction,2023.1," \
           f"failed-critical,{score}," in export


def test_another_learners_attempt_cannot_be_submitted(running, doc):
    root, service = running
    bob, cat = signed_in(service, "bob@school.org"), signed_in(service, "cat@school.org")
    _, text = bob.get(QUIZ)
    form = right_answers(doc, text)
    before = rows(root, "select count(*) from attempts")
    form["csrf"] = cat.csrf()
    response, result = cat.post(QUIZ, form)
    assert response.status == 403 and "not yours" in result
    assert rows(root, "select count(*) from attempts") == before


def test_two_tabs_submitting_the_same_attempt_record_it_once(running, doc):
    root, service = running
    client = signed_in(service, "ann@school.org")
    _, first = client.get(QUIZ)
    _, second = client.get(QUIZ)  # the second tab shows the same attempt
    ticket = re.search(r'name="ticket" value="([^"]+)"', first)[1]
    assert ticket in second
    form = right_answers(doc, first)
    barrier = threading.Barrier(4)

    def tab() -> str:
        barrier.wait()
        return client.post(QUIZ, form)[1]

    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda _: tab(), range(4)))
    assert all("Recorded: 100% — passed." in r for r in results)
    assert rows(root, "select count(*) from attempts where ticket = ?", ticket) == [(1,)]


def test_print_sign_in_links_is_refused_off_loopback_and_a_key_is_required(tmp_path):
    root = records_project(tmp_path)
    result = policykit(root, "records", "serve", "--host", "0.0.0.0", "--print-sign-in-links")
    assert result.returncode == 2 and "--print-sign-in-links on 0.0.0.0" in result.stderr
    result = policykit(root, "records", "serve", env={"POLICYKIT_RECORDS_SECRET_KEY": ""})
    assert result.returncode == 2 and "POLICYKIT_RECORDS_SECRET_KEY" in result.stderr
    assert "Traceback" not in result.stderr


def test_sigkill_during_submissions_loses_no_acknowledged_attempt(tmp_path):
    root = records_project(tmp_path)
    project, _ = load_project(root)
    quiz = quiz_document(project, project.quizzes[0])
    service = Service(root).start()
    acknowledged: list[str] = []
    try:
        client = signed_in(service, "bob@school.org")
        killer = threading.Timer(6.0, lambda: service.stop(kill=True))
        killer.start()
        for _ in range(200):
            try:
                _, text = client.get(QUIZ)
                form = right_answers(quiz, text)
                response, result = client.post(QUIZ, form)
            except (OSError, TypeError):
                break
            if response.status == 200 and "Recorded:" in result:
                acknowledged.append(form["ticket"])
        killer.join()
    finally:
        service.stop(kill=True)
    assert service.process.returncode == -9 and len(acknowledged) >= 3
    with Service(root) as again:  # the service starts again on the same file
        assert signed_in(again, "bob@school.org").get("/training")[0].status == 200
    stored = {r[0]: r[1:] for r in rows(root, "select ticket, score, passed from attempts")}
    assert set(acknowledged) <= set(stored)
    assert all(v == (100, 1) for v in stored.values())  # none half-written


def test_on_postgresql_the_service_records_once_and_keeps_what_it_acknowledged(tmp_path, doc):
    from test_records_support import postgres_server
    import sqlalchemy as sa

    with postgres_server() as url:
        root = records_project(tmp_path, db=url)
        with Service(root, db=url) as service:
            client = fresh_sign_in(service, "bob@school.org")
            assert client.post("/read/social-media", {"version": "2023.1",
                                                      "csrf": client.csrf()})[0].status == 303
            _, text = client.get(QUIZ)
            form = right_answers(doc, text)
            with concurrent.futures.ThreadPoolExecutor(4) as pool:
                results = list(pool.map(lambda _: client.post(QUIZ, form)[1], range(4)))
            assert all("Recorded: 100% — passed." in r for r in results)
            staff = fresh_sign_in(service, "cat@school.org")
            assert staff.get("/matrix")[0].status == 403
            service.stop(kill=True)
        engine = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://"))
        with engine.connect() as connection:
            assert connection.execute(sa.text(
                "select count(*) from attempts where ticket = :t"), {"t": form["ticket"]}
            ).scalar_one() == 1
            assert connection.execute(sa.text(
                "select policy, version from confirmations")).all() == [("social-media", "2023.1")]
        engine.dispose()
        export = policykit(root, "records", "export", "--db", url).stdout
        assert "bob@school.org,Bob Learner,support-staff,quiz:social-media-induction,2023.1," \
               "done,100," in export


def test_a_trainer_sees_a_persons_history_and_a_learner_cannot_open_anothers(running, doc):
    root, service = running
    (cat_id,) = rows(root, "select id from staff where email = 'cat@school.org'")[0]
    bob = signed_in(service, "bob@school.org")
    assert bob.get(f"/person/{cat_id}")[0].status == 403
    trainer = signed_in(service, "ann@school.org")
    response, text = trainer.get(f"/person/{cat_id}")
    assert response.status == 200 and "Cat Learner" in text
    attempts = rows(root, "select count(*) from attempts where person_id = ?", cat_id)[0][0]
    confirmed = rows(root, "select count(*) from confirmations where person_id = ?", cat_id)[0][0]
    history = text.split('class="pk-history"')[1]
    assert history.count("<tr><td>") == attempts + confirmed
    assert trainer.get("/person/99999")[0].status == 404


def test_a_form_sent_from_another_site_is_refused_and_spends_no_link(running):
    root, service = running
    evil = {"Origin": "http://evil.example"}
    client = Client(service.url)
    client.ask_link("eve@school.org")
    link = service.link_for("eve@school.org").removeprefix(service.url)
    response, _ = client.spend(link, evil)
    assert response.status == 403 and "pk_records" not in client.cookies
    response, _ = client.spend(link, {"Origin": service.url})
    assert response.status == 303  # the link was not spent by the refused request
    before = rows(root, "select count(*) from confirmations")
    response, _ = client.request("POST", "/read/social-media",
                                 {"version": "2023.1", "csrf": client.csrf()}, evil)
    assert response.status == 403
    assert rows(root, "select count(*) from confirmations") == before
    assert client.ask_link("eve@school.org", evil)[0].status == 403


def test_the_matrix_shows_statuses_on_a_chosen_date(running):
    root, service = running
    trainer = signed_in(service, "ann@school.org")
    _, early = trainer.get("/matrix.csv?on=2026-01-10&role=volunteers")
    _, late = trainer.get("/matrix.csv?on=2026-03-10&role=volunteers")
    assert "dan@school.org,Dan,volunteers,policy:social-media,2023.1,due,,,2026-03-01" in early
    assert "dan@school.org,Dan,volunteers,policy:social-media,2023.1,overdue,,,2026-03-01" in late
    response, text = trainer.get("/matrix?on=2026-03-10")
    assert response.status == 200 and "on 2026-03-10" in text
    assert trainer.get("/matrix?on=yesterday")[0].status == 400
