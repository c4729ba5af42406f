"""The records service's pages (Starlette): sign-in, my training, read and confirm, quizzes
marked here, and the trainer's matrix. Every request is checked for its person and role, every
form for its CSRF token; every page carries the site's Content Security Policy."""

from __future__ import annotations

import datetime as dt
import hmac
import re
import secrets
from pathlib import Path
from urllib.parse import quote, urlsplit

import jinja2
import sqlalchemy as sa
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from policykit.site.csp import policy_for
from policykit.core.model import Project
from policykit.core.memos import Memos
from policykit.quiz.document import quiz_document
from policykit.records import feedback, signin, tables
from policykit.records.ledger import matrix, matrix_csv, records_of
from policykit.records.marking import open_draw, submit
from policykit.records.signin import COOKIE, Settings
from policykit.records.store import audit, now
from policykit.records.training import changed_clauses, plan, retrain_questions

TRAINERS = ("trainer", "administrator")
_TEMPLATES = jinja2.Environment(
    loader=jinja2.FileSystemLoader(Path(__file__).resolve().parent / "templates"),
    autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
    auto_reload=False)  # templates are the package's: no stat of each on every page


class Refused(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def make_app(project: Project, engine: sa.Engine, settings: Settings,
             memos: Memos | None = None) -> Starlette:
    """The service as an ASGI application; memos keeps what is made of the project (each quiz
    as asked now, the comparisons of versions) while it runs, so that it is made once, not on
    every request."""
    pages = _Pages(project, engine, settings, memos or Memos())
    routes = [
        Route("/", pages.home), Route("/sign-in", pages.sign_in, methods=["GET", "POST"]),
        Route("/sign-in/oidc", pages.oidc_start),
        Route("/sign-in/oidc/callback", pages.oidc_callback),
        Route("/sign-in/{token}", pages.link, methods=["GET", "POST"]),
        Route("/sign-out", pages.sign_out, methods=["POST"]),
        Route("/training", pages.training),
        Route("/read/{policy}", pages.read, methods=["GET", "POST"]),
        Route("/quiz/{quiz}", pages.quiz, methods=["GET", "POST"]),
        Route("/matrix", pages.matrix), Route("/matrix.csv", pages.matrix_csv),
        Route("/person/{person:int}", pages.person)]
    return Starlette(routes=[Route(r.path, _threaded(r.endpoint), methods=r.methods)
                             for r in routes])


def _threaded(handler):
    """The handler run in a worker thread (it waits on the database and the identity
    provider, never holding up the event loop), the form read first."""
    async def endpoint(request: Request) -> Response:
        request.state.form = await request.form() if request.method == "POST" else None
        return await run_in_threadpool(handler, request)
    return endpoint


def page(name: str, status: int = 200, **values) -> Response:
    """A template rendered, with the security headers every response carries."""
    html = _TEMPLATES.get_template(name).render(**values)
    return secured(HTMLResponse(html, status_code=status), html)


def secured(response: Response, html: str = "") -> Response:
    response.headers["Content-Security-Policy"] = policy_for(html)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"  # a sign-in link never leaks to another site
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Frame-Options"] = "DENY"
    return response


def _redirect(to: str) -> Response:
    return secured(RedirectResponse(to, status_code=303))


class _Pages:
    def __init__(self, project: Project, engine: sa.Engine, settings: Settings,
                 memos: Memos) -> None:
        self.project, self.engine, self.settings = project, engine, settings
        self.memos = memos

    # -- who is asking --------------------------------------------------------------------
    def _who(self, request: Request, roles: tuple[str, ...] = ()):
        found = signin.session_of(self.engine, self.settings, request.cookies.get(COOKIE))
        if found is None:  # signed in, the person comes back to the page asked for
            raise Refused(401, back_to(request.url.path) if request.method == "GET" else "")
        if roles and found.access not in roles:
            raise Refused(403, "This page is for trainers and administrators.")
        return found

    def _same_origin(self, request: Request) -> None:
        """Refuse a form another site's page sent (a browser names the page's origin)."""
        origin = request.headers.get("origin")
        own = "{0.scheme}://{0.netloc}".format(urlsplit(self.settings.url))
        if origin is not None and origin != own:
            raise Refused(403, "This form did not come from this service.")

    def _form(self, request: Request, who) -> dict[str, list[str]]:
        self._same_origin(request)
        form = request.state.form
        values: dict[str, list[str]] = {}
        for key, value in form.multi_items():
            if isinstance(value, str):
                values.setdefault(key, []).append(value)
        token = (values.get("csrf") or [""])[0]
        if not hmac.compare_digest(token.encode(), who.csrf.encode()):
            raise Refused(403, "This form has expired or did not come from this service: "
                          "go back, reload the page and send it again.")
        return values

    def _refused(self, error: Refused, back: str = "/training") -> Response:
        if error.status == 401:
            then = back_to(str(error))
            return _redirect("/sign-in" + (f"?next={quote(then)}" if then != "/training"
                                           else ""))
        return page("refused.html", error.status, message=str(error), who=None, back=back)

    # -- pages ----------------------------------------------------------------------------
    def home(self, request: Request) -> Response:
        return _redirect("/training")

    def _sign_in_page(self, request: Request, name: str, status: int = 200,
                      **values) -> Response:
        """A page with a sign-in form: its CSRF token is bound to a form cookie (there is no
        session yet), made now unless the browser has one."""
        cookie = request.cookies.get(signin.FORM_COOKIE, "")
        if not 32 <= len(cookie) <= 64:
            cookie = secrets.token_urlsafe(32)
        response = page(name, status, who=None, csrf=signin.form_token(self.settings, cookie),
                        **values)
        # Lax: a link opened from a webmail page (another site) must not replace the cookie
        # another tab's form is bound to; a form posted from another site never carries it.
        response.set_cookie(signin.FORM_COOKIE, cookie, max_age=12 * 3600, path="/sign-in",
                            secure=True, httponly=True, samesite="lax")
        return response

    def _sign_in_form(self, request: Request) -> dict:
        """The sign-in form sent, refused unless from this service's own sign-in page."""
        self._same_origin(request)
        form = request.state.form
        cookie = request.cookies.get(signin.FORM_COOKIE, "")
        sent = form.get("csrf")
        if not cookie or not isinstance(sent, str) or not hmac.compare_digest(
                sent.encode(), signin.form_token(self.settings, cookie).encode()):
            raise Refused(403, "This sign-in form has expired or did not come from this "
                          "service. Open the sign-in page again and send the form from there "
                          "(your browser must accept this site's cookies).")
        return form

    def sign_in(self, request: Request) -> Response:
        oidc = self.settings.oidc is not None
        if request.method == "GET":
            then = back_to(request.query_params.get("next", ""))
            return self._sign_in_page(request, "sign_in.html", state="", oidc=oidc, then=then)
        try:
            form = self._sign_in_form(request)
        except Refused as error:
            return self._refused(error, back="/sign-in")
        email, then = form.get("email"), back_to(form.get("next"))
        state = signin.request_link(self.engine, self.settings,
                                    email if isinstance(email, str) else "",
                                    request.client.host if request.client else None, then)
        if isinstance(state, signin.Limited):
            return self._limited(request, state, oidc, then)
        return self._sign_in_page(request, "sign_in.html", state=state, oidc=oidc, then=then)

    def _limited(self, request: Request, limited: signin.Limited, oidc: bool,
                 then: str) -> Response:
        """429, saying when to try again (and Retry-After, in seconds)."""
        wait = max(1, int((limited.until - now()).total_seconds()))
        response = self._sign_in_page(
            request, "sign_in.html", 429, state="limited", oidc=oidc, then=then,
            limited_by="for that email address" if limited.what == "email" else
            "from your network",
            until=limited.until.strftime("%H:%M"), minutes=-(-wait // 60))
        response.headers["Retry-After"] = str(wait)
        return response

    def link(self, request: Request) -> Response:
        token = request.path_params["token"]
        if request.method == "GET":  # mail scanners open links: only the button spends it
            return self._sign_in_page(request, "link.html", token=token,
                                      then=back_to(request.query_params.get("next", "")))
        try:  # another site must not sign a visitor in as someone else
            form = self._sign_in_form(request)
        except Refused as error:
            return self._refused(error, back=f"/sign-in/{token}")
        opened = signin.use_link(self.engine, self.settings, token)
        if opened is None:
            return page("refused.html", 400, who=None, message="This sign-in link has been "
                        "used or has expired. Ask for a new one on the sign-in page.",
                        back="/sign-in")
        return self._signed_in(opened[0], back_to(form.get("next")))

    def _signed_in(self, cookie: str, then: str = "/training") -> Response:
        response = _redirect(then)
        response.set_cookie(COOKIE, cookie, max_age=self.settings.session_minutes * 60,
                            path="/", secure=True, httponly=True, samesite="lax")
        return response

    def _callback_uri(self) -> str:
        return self.settings.url + "/sign-in/oidc/callback"

    def oidc_start(self, request: Request) -> Response:
        from policykit.records import oidc
        if self.settings.oidc is None:
            return page("refused.html", 404, who=None, message="Sign-in by your school "
                        "account is not set up here: ask for a sign-in link by email.")
        try:
            url, kept = oidc.start(self.settings.oidc, self._callback_uri())
            kept["next"] = back_to(request.query_params.get("next", ""))
        except Exception as error:  # the provider cannot be reached or answers nonsense
            return page("refused.html", 502, who=None, message="Your school's sign-in "
                        f"service did not answer ({type(error).__name__}). Try again later, "
                        "or ask for a sign-in link by email.")
        response = secured(RedirectResponse(url, status_code=303))
        response.set_cookie(oidc.COOKIE, oidc.pack_state(self.settings.secret, kept),
                            max_age=oidc.STATE_SECONDS, path="/sign-in/oidc", secure=True,
                            httponly=True, samesite="lax")
        return response

    def oidc_callback(self, request: Request) -> Response:
        from policykit.records import oidc
        if self.settings.oidc is None:
            return page("refused.html", 404, who=None, message="Not set up here.")
        query = request.query_params
        try:
            kept = oidc.unpack_state(self.settings.secret, request.cookies.get(oidc.COOKIE))
            email = oidc.finish(
                self.settings.oidc, self._callback_uri(), kept,
                query.get("state", ""), query.get("code", ""))
        except oidc.NoEmail as error:
            return page("refused.html", 403, who=None, back="/sign-in", message=(
                f"Not signed in: {error}. Ask your IT administrator to give this service "
                "the email claim (Microsoft 365: add the optional email claim in the app "
                "registration), or ask for a sign-in link by email."))
        except (oidc.SignInFailed, ValueError) as error:
            return page("refused.html", 400, who=None, message=f"Not signed in: {error}.")
        opened = signin.sign_in_email(self.engine, self.settings, email,
                                      "signed in (OpenID Connect)")
        if opened is None:
            return page("refused.html", 403, who=None, message=f"{email} is not on the staff "
                        "roster here. Ask the person who keeps the training records.")
        response = self._signed_in(opened[0], back_to(kept.get("next")))
        response.delete_cookie(oidc.COOKIE, path="/sign-in/oidc", secure=True, httponly=True,
                               samesite="lax")
        return response

    def sign_out(self, request: Request) -> Response:
        try:
            who = self._who(request)
            self._form(request, who)
        except Refused as error:
            return self._refused(error)
        signin.end_session(self.engine, who.token_hash)
        response = _redirect("/sign-in")
        response.delete_cookie(COOKIE, path="/", secure=True, httponly=True, samesite="lax")
        return response

    def _plan(self, who, on: dt.date | None = None):
        with self.engine.connect() as connection:
            done = records_of(connection, [who.id]).get(who.id, [])
        return plan(self.project, who.role, who.start_date, done, on or dt.date.today(),
                    self.memos)

    def training(self, request: Request) -> Response:
        try:
            who = self._who(request)
        except Refused as error:
            return self._refused(error)
        return page("training.html", who=who, items=self._plan(who),
                    trainer=who.access in TRAINERS, recorded=request.query_params.get("recorded"))

    def _item(self, who, key: str):
        item = next((i for i in self._plan(who) if i.key == key), None)
        if item is None:
            raise Refused(404, "That is not part of your training.")
        return item

    def read(self, request: Request) -> Response:
        try:
            who = self._who(request)
            item = self._item(who, f"policy:{request.path_params['policy']}")
            if request.method == "POST":
                form = self._form(request, who)
                return self._confirm(who, item, (form.get("version") or [""])[0])
        except Refused as error:
            return self._refused(error)
        policy = self.project.policy(item.target)
        assert policy is not None  # the item is of a policy kept here
        changes = changed_clauses(self.project, item.target, item.since, self.memos) \
            if item.status == "retrain" and item.since else []
        return page("read.html", who=who, item=item, version=policy.current, changes=changes)

    def _confirm(self, who, item, version: str) -> Response:
        if version != item.version:
            raise Refused(409, f"Version {version} is no longer the current one: read "
                          f"version {item.version} and confirm that.")
        try:
            with self.engine.begin() as connection:
                exists = connection.execute(sa.select(tables.confirmations.c.id).where(
                    tables.confirmations.c.person_id == who.id,
                    tables.confirmations.c.policy == item.target,
                    tables.confirmations.c.version == version)).first()
                if exists is None:
                    connection.execute(tables.confirmations.insert().values(
                        person_id=who.id, policy=item.target, version=version, at=now()))
                    audit(connection, who.email, "confirmed", who.email,
                          f"{item.target} {version}")
        except sa.exc.OperationalError:
            raise Refused(503, _NOT_RECORDED) from None
        return _redirect(f"/training?recorded={item.key}")

    def quiz(self, request: Request) -> Response:
        try:
            who = self._who(request)
            item = self._item(who, f"quiz:{request.path_params['quiz']}")
            quiz = next(q for q in self.project.quizzes if q.id == item.target)
            doc = quiz_document(self.project, quiz, self.memos)
            if request.method == "POST":
                form = self._form(request, who)
                return self._submit(who, item, doc, form)
            only = retrain_questions(self.project, item.target, item.since, self.memos) \
                if item.status == "retrain" and item.since else None
            ticket, asked = open_draw(self.engine, who.id, doc,
                                      "retrain" if only else "full", only)
        except Refused as error:
            return self._refused(error)
        except sa.exc.OperationalError:
            return page("refused.html", 503, who=None, message=_NOT_RECORDED)
        return page("quiz.html", who=who, item=item, doc=doc, ticket=ticket,
                    questions=[doc.question(q) for q in asked], retrain=bool(only))

    def _submit(self, who, item, doc, form) -> Response:
        ticket = (form.get("ticket") or [""])[0]
        try:
            marked = submit(self.engine, who, ticket, item.target, doc, form)
        except sa.exc.OperationalError:
            raise Refused(503, _NOT_RECORDED) from None
        if marked is None:
            raise Refused(403, "That attempt is not yours, or not of this quiz.")
        return page("result.html", who=who, item=item, doc=doc, marked=marked,
                    summary=feedback.summary(doc, marked), answers=feedback.answers(doc, marked))

    def matrix(self, request: Request) -> Response:
        try:
            who = self._who(request, TRAINERS)
        except Refused as error:
            return self._refused(error)
        role = request.query_params.get("role") or None
        try:
            on = _on(request)
        except Refused as error:
            return self._refused(error)
        rows = matrix(self.engine, self.project, on, role)
        keys = list(dict.fromkeys(i.key for r in rows for i in r.items))
        return page("matrix.html", who=who, rows=rows, keys=keys, role=role or "",
                    roles=[p.id for p in self.project.pathways], on=on.isoformat())

    def person(self, request: Request) -> Response:
        try:
            who = self._who(request, TRAINERS)
        except Refused as error:
            return self._refused(error)
        with self.engine.connect() as connection:
            person = connection.execute(sa.select(tables.staff).where(
                tables.staff.c.id == request.path_params["person"])).first()
            if person is None:
                return page("refused.html", 404, who=who, message="Nobody with that number.")
            done = records_of(connection, [person.id]).get(person.id, [])
        items = plan(self.project, person.role, person.start_date, done, dt.date.today(),
                     self.memos)
        return page("person.html", who=who, person=person, items=items,
                    history=sorted(done, key=lambda d: d.at, reverse=True))

    def matrix_csv(self, request: Request) -> Response:
        try:
            self._who(request, TRAINERS)
        except Refused as error:
            return self._refused(error)
        role = request.query_params.get("role") or None
        try:
            on = _on(request)
        except Refused as error:
            return self._refused(error)
        text = matrix_csv(matrix(self.engine, self.project, on, role))
        return secured(Response(text, media_type="text/csv; charset=utf-8", headers={
            "Content-Disposition": 'attachment; filename="training-matrix.csv"'}))


_BACK = re.compile(r"/(training|matrix|(quiz|read)/[a-z0-9]+(-[a-z0-9]+)*|person/[0-9]{1,9})")


def back_to(path: object) -> str:
    """The page of this service to open after signing in: path when it is one of its own
    pages (never another site's: the pattern admits nothing else), else /training."""
    return path if isinstance(path, str) and _BACK.fullmatch(path) else "/training"


def _on(request: Request) -> dt.date:
    """The date the matrix shows statuses on: ?on=YYYY-MM-DD, or today."""
    text = request.query_params.get("on") or ""
    try:
        return dt.date.fromisoformat(text) if text else dt.date.today()
    except ValueError:
        raise Refused(400, "The date must be written as YYYY-MM-DD.") from None


_NOT_RECORDED = ("Not recorded: the records database cannot be written just now. Nothing you "
                 "sent was kept; try again later, and tell the person who runs this service.")
