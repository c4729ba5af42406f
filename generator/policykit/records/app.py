"""The records service's pages (Starlette): sign-in, my training, read and confirm, quizzes
marked here, and the trainer's matrix. Every request is checked for its person and role, every
form for its CSRF token; every page carries the site's Content Security Policy."""

from __future__ import annotations

import datetime as dt
import hmac
from pathlib import Path
from urllib.parse import urlsplit

import jinja2
import sqlalchemy as sa
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from policykit.site.csp import policy_for
from policykit.core.model import Project
from policykit.quiz.document import quiz_document
from policykit.records import signin, tables
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


def make_app(project: Project, engine: sa.Engine, settings: Settings) -> Starlette:
    """The service as an ASGI application."""
    pages = _Pages(project, engine, settings)
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
    def __init__(self, project: Project, engine: sa.Engine, settings: Settings) -> None:
        self.project, self.engine, self.settings = project, engine, settings

    # -- who is asking --------------------------------------------------------------------
    def _who(self, request: Request, roles: tuple[str, ...] = ()):
        found = signin.session_of(self.engine, self.settings, request.cookies.get(COOKIE))
        if found is None:
            raise Refused(401, "")
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

    def _refused(self, error: Refused) -> Response:
        if error.status == 401:
            return _redirect("/sign-in")
        return page("refused.html", error.status, message=str(error), who=None)

    # -- pages ----------------------------------------------------------------------------
    def home(self, request: Request) -> Response:
        return _redirect("/training")

    def sign_in(self, request: Request) -> Response:
        oidc = self.settings.oidc is not None
        if request.method == "GET":
            return page("sign_in.html", who=None, state="", oidc=oidc)
        try:
            self._same_origin(request)
        except Refused as error:
            return self._refused(error)
        form = request.state.form
        email = form.get("email")
        state = signin.request_link(self.engine, self.settings,
                                    email if isinstance(email, str) else "")
        return page("sign_in.html", 429 if state == "limited" else 200, who=None, state=state,
                    oidc=oidc)

    def link(self, request: Request) -> Response:
        token = request.path_params["token"]
        if request.method == "GET":  # mail scanners open links: only the button spends it
            return page("link.html", who=None, token=token)
        try:  # another site must not sign a visitor in as someone else
            self._same_origin(request)
        except Refused as error:
            return self._refused(error)
        opened = signin.use_link(self.engine, self.settings, token)
        if opened is None:
            return page("refused.html", 400, who=None, message="This sign-in link has been "
                        "used or has expired. Ask for a new one on the sign-in page.")
        return self._signed_in(opened[0])

    def _signed_in(self, cookie: str) -> Response:
        response = _redirect("/training")
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
            url, kept = oidc.start(self.settings.oidc,
                                                self._callback_uri())
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
        except (oidc.SignInFailed, ValueError) as error:
            return page("refused.html", 400, who=None, message=f"Not signed in: {error}.")
        opened = signin.sign_in_email(self.engine, self.settings, email,
                                      "signed in (OpenID Connect)")
        if opened is None:
            return page("refused.html", 403, who=None, message=f"{email} is not on the staff "
                        "roster here. Ask the person who keeps the training records.")
        response = self._signed_in(opened[0])
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
        return plan(self.project, who.role, who.start_date, done, on or dt.date.today())

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
        changes = changed_clauses(self.project, item.target, item.since) \
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
            doc = quiz_document(self.project, quiz)
            if request.method == "POST":
                form = self._form(request, who)
                return self._submit(who, item, doc, form)
            only = retrain_questions(self.project, item.target, item.since) \
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
                    questions=[doc.question(q) for q in marked.asked])

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
        items = plan(self.project, person.role, person.start_date, done, dt.date.today())
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


def _on(request: Request) -> dt.date:
    """The date the matrix shows statuses on: ?on=YYYY-MM-DD, or today."""
    text = request.query_params.get("on") or ""
    try:
        return dt.date.fromisoformat(text) if text else dt.date.today()
    except ValueError:
        raise Refused(400, "The date must be written as YYYY-MM-DD.") from None


_NOT_RECORDED = ("Not recorded: the records database cannot be written just now. Nothing you "
                 "sent was kept; try again later, and tell the person who runs this service.")
