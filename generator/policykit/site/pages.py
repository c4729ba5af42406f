"""Model -> the pages of the generated docs folder, in parts, through Jinja2 templates (pure)."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Mapping

import jinja2

from policykit.compare.compare import Comparison
from policykit.core.memos import Memos, memos_or_new
from policykit.core.model import KIND_LABELS, Clause, Policy, Project, Ref, Version, version_key
from policykit.site.versions import compare_view, comparisons, history_view, latest_summary, pack_pairs
from policykit.site.reviews import Packs, reviews_calendar, reviews_view
from policykit.site.training import (SCORM_ASSETS, coverage_view, quiz_downloads, quiz_view,
                              sign_off_view, training_view)
from policykit.site.templates import files as template_files
from policykit.site.templates import folders as template_folders
from policykit.core.text import (escape_markdown, front_matter_title, html_in_markdown, inline_markdown,
                   markdown_to_html)
from policykit.core import urls
from policykit.core.urls import Page
from policykit.core.dates import long_date_or_none

LINKED_SECTION = "linked-policies"
WITHHELD_LABEL = "a policy awaiting approval"  # a reference to a policy left out (drafts.py)
MAX_HEADING = 6


def policy_page(policy_id: str, version: str | None = None) -> Page:
    """The page of a policy's current version, or of one named version."""
    return Page.at(urls.policy(policy_id, version))


HOME = Page.at(urls.HOME)
POLICIES_PAGE = Page.at(urls.POLICIES)
REVIEWS_PAGE = Page.at(urls.REVIEWS)


def environment(templates: list[Path], memos: Memos | None = None) -> jinja2.Environment:
    """The Jinja2 environment over the template folders (the first that has a template wins):
    strict, autoescaping, with filters for Markdown text and front matter titles; its compiled
    templates kept in memos' bytecode cache "jinja-pages" (the build session's, on disk)."""
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(templates),
                             undefined=jinja2.StrictUndefined, autoescape=True,
                             trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
                             bytecode_cache=memos.bytecode_cache("jinja-pages") if memos else None)
    env.filters["md"] = escape_markdown
    env.filters["yaml_string"] = front_matter_title
    return env


def print_page(policy_id: str, version: str | None = None) -> Page:
    """The print (and PDF source) page of a policy's current version or of one version."""
    return Page.html_at(urls.policy_print(policy_id, version))


@dataclass(frozen=True)
class Part:
    """Pages rendered together: a name, everything they show (the key: while it is unchanged,
    so are the pages), a rough cost for sharing work out, and how to render them."""

    name: str
    key: str | None  # a digest of all the pages show; None: always render them (cheap pages)
    render: Callable[[], Mapping[str, str | bytes]]
    cost: int = 1


def site_parts(project: Project, templates: list[Path], today: dt.date,
               pdf: bool = False, memos: Memos | None = None, packs: Packs = Packs()
               ) -> list[Part]:
    """The generated pages of the site, in parts; nothing is rendered until a part is. With
    pdf, the pages link to the PDFs that the build renders from the print pages. Keys name
    versions and quizzes by the digest of their file. memos: where rendering remembers its
    work (the build session's); packs: the commands that make its governors' packs."""
    memos = memos_or_new(memos)
    env = environment(templates, memos)
    templates_key = content_key(tuple((name, path.read_bytes())
                                      for name, path in template_files(templates, "", "*.j2").items()))
    titles = tuple((p.id, p.title, p.current.version if p.current else None)
                   for p in project.policies)
    shared = content_key((templates_key, titles, today, pdf, project.organisation,
                          project.linked))
    # The home, policies and reviews pages and the calendar, keyed by what they show (a
    # clause's new words change none of them; their key held every version's digest, and a
    # trust's every school rendered them again, and MkDocs and Pagefind read them again).
    home = home_view(project, today, memos)
    listed = policies_view(project, POLICIES_PAGE, today)
    reviews = reviews_view(project, REVIEWS_PAGE.link, today, packs)
    calendar = reviews_calendar(project, today, packs)
    parts = [Part("home", content_key((templates_key, today, home, listed, reviews, calendar)),
                  lambda: {HOME.path: env.get_template("home.md.j2").render(home),
                           POLICIES_PAGE.path: env.get_template("policies.md.j2").render(
                               view=listed),
                           REVIEWS_PAGE.path: env.get_template("reviews.md.j2").render(
                               view=reviews),
                           urls.REVIEWS_CALENDAR: calendar})]
    for policy in project.policies:
        parts.append(Part(f"policy:{policy.id}",
                          content_key(_policy_key(project, policy, shared, memos)),
                          functools.partial(_render_policy_pages, env, project, policy, today, pdf,
                                            memos),
                          sum(len(v.all_clauses) for v in policy.versions)))
    # The organisation (its name, roles, glossary) shows in quiz pages and their SCORM package.
    return parts + _training_parts(env, project, content_key((templates_key, titles,
                                                              project.organisation)), memos)


def _policy_key(project: Project, policy: Policy, shared: str, memos: Memos) -> tuple:
    """Everything a policy's pages depend on; shared is what every policy's pages depend on
    (templates, titles, date, PDF links, organisation, linked policies)."""
    return (tuple((v.version, v.digest) for v in policy.versions), policy.title, policy.owner,
            policy.audience, policy.linked_policies, tuple(sorted(policy.locked.items())),
            tuple(q.digest for q in project.quizzes_on(policy.id)), shared,
            tuple((o.id, c.id, c.number)
                  for o, c in _references(project, memos).get(policy.id, ())),
            tuple((target.id, target.current.digest if target.current else None)
                  for target in _targets(project, policy)))


def _targets(project: Project, policy: Policy) -> list[Policy]:
    """The other policies whose current clause numbers a policy's pages show (refs to them)."""
    ids = {ref.policy for version in policy.versions for clause in version.all_clauses
           for ref in clause.refs if ref.policy and ref.policy != policy.id}
    return [target for target in map(project.policy, sorted(ids)) if target is not None]


def content_key(value) -> str:
    """A digest of a key made of plain values and model objects (their repr is their content),
    the same in every process."""
    return hashlib.blake2b(repr(value).encode("utf-8"), digest_size=16).hexdigest()


def _render_policy_pages(env, project: Project, policy: Policy, today, pdf,
                         memos: Memos | None = None) -> dict[str, str]:
    """All pages of one policy: every version, its print pages, history and comparisons."""
    memos = memos_or_new(memos)
    pages = {}
    current = policy.current
    for version in policy.versions:
        for page in (policy_page(policy.id, version.version),
                     print_page(policy.id, version.version)):
            pages[page.path] = _render_policy(env, project, policy, version, page, today,
                                              pdf, version.version, memos)
    if current:
        for page in (policy_page(policy.id), print_page(policy.id)):
            pages[page.path] = _render_policy(env, project, policy, current, page, today,
                                              pdf, None, memos)
    page = Page.at(urls.history(policy.id))
    pages[page.path] = env.get_template("history.md.j2").render(
        view=history_view(policy, page.link))
    packs = {(old.version, new.version) for old, new in pack_pairs(policy)}
    for comparison in comparisons(project, policy, memos):
        pair = (comparison.old.version, comparison.new.version)
        page = Page.at(urls.compare(policy.id, *pair))
        pdf_href = page.link_file(urls.pdf(policy.id, *pair)) if pdf and pair in packs else None
        pages[page.path] = env.get_template("compare.md.j2").render(
            view=compare_view(policy, comparison, page.link, generated=today, memos=memos),
            pdf_href=pdf_href,
            print_href=page.link(urls.compare_print(policy.id, *pair)))
        page = Page.html_at(urls.compare_print(policy.id, *pair))
        pages[page.path] = env.get_template("compare_standalone.html.j2").render(
            view=compare_view(policy, comparison, page.link, project.known_organisation.name,
                              generated=today, memos=memos),
            print_css=page.link_file(urls.PRINT_CSS), favicon=page.link_file(urls.FAVICON))
    return pages


def _training_parts(env: jinja2.Environment, project: Project, shared: str,
                    memos: Memos) -> list[Part]:
    """Pathways, coverage and each quiz's three pages; shared: a key of the templates, the
    policies' titles and the organisation."""
    # What the coverage page shows of each current version: its clauses' numbers, ids and
    # exemptions, not their text (at 1,000 policies the page took 1.4 s to render again
    # after any clause's words were edited), each version's digested once per content
    shapes = memos_or_new(memos).recent("coverage shape", 8192)

    def shape(version) -> str:
        def make() -> str:
            return content_key(tuple((c.number, c.id, c.quiz_exempt)
                                     for c in version.clauses()))
        if not version.digest:  # made in memory, not read from a file: no key to keep it by
            return make()
        return shapes.get_or_make((version.digest, version.version), make)
    currents = tuple((p.id, p.title, p.training, p.training_reason, p.current.version,
                      shape(p.current)) if p.current else (p.id, None)
                     for p in project.policies)
    quiz_ids = tuple(q.digest for q in project.quizzes)
    # their digest, not their bytes: a quiz's key is a repr, and a thousand quizzes each
    # repeating the SCORM package's scripts was a fifth of a second of every serve rebuild
    assets = content_key(_quiz_assets(env))
    parts = []
    pages: list[tuple[str, str, Callable[..., dict[str, Any]], tuple]] = [
            (urls.TRAINING, "training.md.j2", functools.partial(training_view, memos=memos),
             (quiz_ids, project.pathways, shared)),
            (urls.COVERAGE, "coverage.md.j2", coverage_view, (quiz_ids, currents, shared))]
    for url, template, view, key in pages:
        page = Page.at(url)
        parts.append(Part(url, content_key(key), functools.partial(_render_one, env, template, page,
                                                      functools.partial(view, project, page.link,
                                                                        page.link_file))))
    for pathway in project.pathways:
        page = Page.at(urls.sign_off(pathway.id))
        parts.append(Part(page.url, None, functools.partial(
            _render_one, env, "sign_off.md.j2", page,
            functools.partial(sign_off_view, project, pathway, page.link, memos=memos))))
    for quiz in project.quizzes:
        policy = project.policy(quiz.policy)
        key = (quiz.digest, policy.current.digest if policy and policy.current else None, shared)
        key += (assets,)
        parts.append(Part(urls.quiz(quiz.id), content_key(key),
                          functools.partial(_quiz_pages, env, project, quiz, memos),
                          len(quiz.questions)))
    return parts


def _render_one(env: jinja2.Environment, template: str, page: Page, view) -> dict[str, str]:
    return {page.path: env.get_template(template).render(view=view())}


def _quiz_assets(env: jinja2.Environment) -> dict[str, bytes]:
    """The assets a quiz's SCORM package carries, from the template folders."""
    found = template_files([Path(p) for p in env.loader.searchpath],  # type: ignore[union-attr]
                           "assets")
    return {name: found[name].read_bytes() for name in SCORM_ASSETS}


def _quiz_pages(env: jinja2.Environment, project: Project, quiz, memos: Memos) -> dict[str, str]:
    pages = {}
    for part, template in zip(urls.QUIZ_PARTS, ("quiz.md.j2", "quiz_print.md.j2",
                                                "quiz_answers.md.j2")):
        page = Page.at(urls.quiz(quiz.id, part))
        pages[page.path] = env.get_template(template).render(
            view=quiz_view(project, quiz, page.link, page.link_file, memos))
    pages.update(quiz_downloads(env, project, quiz, _quiz_assets(env), memos))
    return pages


def render_compare_standalone(project: Project, root: Path, comparison: Comparison,
                              today: dt.date | None = None) -> str:
    """One comparison as a self-contained HTML page (policykit diff --format html), its links
    relative to the comparison's address on the site (urls.compare): the caller makes them
    absolute, or plain text (engine.pdf.standalone_links)."""
    policy = project.policy(comparison.policy)
    assert policy is not None  # diff names a policy kept here
    url = urls.compare(policy.id, comparison.old.version, comparison.new.version)
    page = Page("compare.html", url)
    env = environment(template_folders(root))
    html = env.get_template("compare_standalone.html.j2").render(
        view=compare_view(policy, comparison, page.link, project.known_organisation.name,
                          generated=today),
        print_css=None, favicon="data:,")
    return html


def _render_policy(env, project, policy, version, page, today, pdf: bool,
                   print_version: str | None, memos: Memos) -> str:
    """A policy page (Markdown) or its print page (HTML), which page.path's suffix decides."""
    view = policy_view(project, policy, version, page, today, print_version is not None, memos)
    view["print_href"] = page.link(print_page(policy.id, print_version).url)
    view["pdf_href"] = page.link_file(urls.pdf(policy.id, version.version)) if pdf else None
    if page.path.endswith(".html"):
        view["print_css"] = page.link_file(urls.PRINT_CSS)
        view["favicon"] = page.link_file(urls.FAVICON)
        view["superseded"] = version.status == "approved" and version is not policy.current
        return env.get_template("print.html.j2").render(view)
    return env.get_template("policy.md.j2").render(view)


def home_view(project: Project, today: dt.date, memos: Memos | None = None) -> dict[str, Any]:
    """What the home page shows: every policy's state, and the most recent versions."""
    memos = memos_or_new(memos)
    rows = []
    for policy in project.policies:
        draft = _newer_draft(policy)
        rows.append({
            **_policy_row(policy, today), "md_path": policy_page(policy.id).path,
            "draft": draft.version if draft else None,
            "draft_md_path": policy_page(policy.id, draft.version).path if draft else None,
            "latest_change": _latest_change(project, policy, memos),
        })
    recent = sorted(((policy, v) for policy in project.policies for v in policy.versions),
                    key=lambda pv: (pv[1].approved_on or dt.date.min, version_key(pv[1].version)),
                    reverse=True)
    return {"organisation": project.known_organisation.name, "policies": rows,
            "recent": [{"title": p.title, "version": v.version, "status": v.status,
                        "approved_on": _date(v.approved_on), "note": v.note,
                        "href": HOME.link(policy_page(p.id, v.version).url)}
                       for p, v in recent[:10]]}


def policies_view(project: Project, page: Page, today: dt.date) -> dict[str, Any]:
    """Every policy, alphabetically, with its version, status, owner and review date."""
    return {"policies": [{**_policy_row(policy, today),
                          "href": page.link(policy_page(policy.id).url)}
                         for policy in sorted(project.policies, key=lambda p: p.title.lower())]}


def _policy_row(policy: Policy, today: dt.date) -> dict[str, Any]:
    """A policy's title, current version, status, owner and review date, for tables."""
    current = policy.current
    return {"title": policy.title, "version": current.version if current else "—",
            "status": current.status if current else "—", "owner": policy.owner,
            "review_due": _date(current.review_due) if current else None,
            "overdue": bool(current and current.review_due and current.review_due < today)}


def _latest_change(project: Project, policy: Policy, memos: Memos) -> dict[str, Any] | None:
    latest = latest_summary(project, policy, memos)
    if latest is None:
        return None
    old, new, counts = latest
    parts = [f"{counts[k]} {k}" for k in ("added", "removed", "reworded", "moved") if counts[k]]
    return {"old": old.version, "new": new.version,
            "text": ", ".join(parts) or "no clause changes",
            "md_path": urls.source(urls.compare(policy.id, old.version, new.version))}


def policy_view(project: Project, policy: Policy, version: Version, page: Page,
                today: dt.date, version_page: bool = False,
                memos: Memos | None = None) -> dict[str, Any]:
    """Everything a policy page shows for one version, already ordered and linked; a version
    page (/policies/<id>/<version>/) is titled with its version and kept out of search."""
    memos = memos_or_new(memos)
    where = _Where(project, policy, version, page,
                   tuple(project.known_organisation.glossary().items()), memos)
    sections = _section_views(where, version.sections, 2)
    return {
        "page_title": f"{policy.title} {version.version}" if version_page else policy.title,
        "search_exclude": version_page,
        "title": policy.title,
        "organisation": project.known_organisation.name,
        "version": version.version, "status": version.status, "note": version.note,
        "owner": policy.owner,
        "audience": [dict(project.known_organisation.audiences).get(a, a) for a in policy.audience],
        "approved_on": _date(version.approved_on), "approved_by": version.approved_by,
        "review_due": _date(version.review_due),
        "overdue": bool(version.review_due and version.review_due < today
                        and version is policy.current),
        "sources": list(version.sources),
        "banners": _banners(policy, version, page),
        "sections": sections,
        "linked_section": LINKED_SECTION in {s.id for s in version.all_sections},
        "linked_number": str(len(version.sections) + 1),
        "linked": [_linked_view(project, linked_id, page) for linked_id in policy.linked_policies],
        "referenced_by": _referenced_by(project, policy, page, memos),
        "versions": [{"version": v.version, "status": _status_label(policy, v),
                      "href": page.link(policy_page(policy.id, v.version).url),
                      "is_this": v is version}
                     for v in reversed(policy.versions)],
        "history_href": page.link(urls.history(policy.id)),
    }


@dataclass(frozen=True)
class _Where:
    """What a clause is rendered within: its project, policy, version and page."""

    project: Project
    policy: Policy
    version: Version
    page: Page
    glossary: tuple[tuple[str, str], ...]
    memos: Memos  # where rendered clause text is remembered


def _section_views(where: _Where, sections, level: int) -> list[dict[str, Any]]:
    """Sections in document order, nested ones flattened after their parent's clauses, each
    with its heading level (2 for a top section) and its title as sanitised inline HTML."""
    views = []
    for s in sections:
        title_html = inline_markdown(s.title, where.glossary, where.memos)
        views.append({"number": s.number, "id": s.id, "level": min(level, MAX_HEADING),
                      "title": s.title, "title_html": title_html,
                      "title_md": html_in_markdown(title_html),
                      "clauses": [_clause_view(where, c, level + 1) for c in s.clauses]})
        views += _section_views(where, s.sections, level + 1)
    return views


def _clause_view(where: _Where, clause: Clause, level: int) -> dict[str, Any]:
    return {
        "id": clause.id, "number": clause.number, "kind": clause.kind,
        "kind_label": KIND_LABELS[clause.kind], "level": min(level, MAX_HEADING),
        "html": markdown_to_html(clause.text, where.glossary, where.memos),
        "refs": [_ref_view(where, ref) for ref in clause.refs],
        "clauses": [_clause_view(where, c, level + 1) for c in clause.clauses],
    }


def _ref_view(where: _Where, ref: Ref) -> dict[str, Any]:
    target = where.project.policy(ref.policy) if ref.policy else where.policy
    if target is None:  # registered in linked.yaml only: the checks allow no anchor here
        linked = where.project.linked_policy(ref.policy)  # type: ignore[arg-type]
        if linked is None:  # a policy with only a draft, left out of this site (drafts.py)
            return {"label": WITHHELD_LABEL, "href": None}
        return {"label": linked.title, "href": linked.url or f"#{LINKED_SECTION}"}
    if not ref.anchor:
        return {"label": target.title, "href": where.page.link(policy_page(target.id).url)}
    if target is where.policy:
        return {"label": _number_of(where.version, ref.anchor), "href": f"#{ref.anchor}"}
    href = where.page.link(urls.clause(target.id, ref.anchor))
    return {"label": f"{target.title} {_number_of(target.current, ref.anchor)}",  # type: ignore[arg-type]
            "href": href}


def _number_of(version: Version, anchor: str) -> str:
    for section in version.all_sections:
        if section.id == anchor:
            return f"section {section.number}"
    return version.clause_numbers[anchor]


def _linked_view(project: Project, linked_id: str, page: Page) -> dict[str, Any]:
    internal = project.policy(linked_id)
    if internal:
        return {"title": internal.title, "href": page.link(policy_page(linked_id).url),
                "where": None, "site_path": f"/{policy_page(linked_id).url}/"}
    linked = project.linked_policy(linked_id)
    assert linked is not None  # the checks allow only known linked policies
    return {"title": linked.title, "href": linked.url, "where": linked.where, "site_path": None}


def referenced_by_index(project: Project) -> dict[str, list[tuple[Policy, Clause]]]:
    """For each policy id, the clauses of other policies' current versions that refer to it."""
    index: dict[str, list[tuple[Policy, Clause]]] = {}
    for other in project.policies:
        if other.current is None:
            continue
        for clause in other.current.clauses():
            for target in sorted({ref.policy for ref in clause.refs if ref.policy}):
                if target != other.id:
                    index.setdefault(target, []).append((other, clause))
    return index


def _referenced_by(project: Project, policy: Policy, page: Page,
                   memos: Memos) -> list[dict[str, Any]]:
    return [{"label": f"{other.title} {clause.number}",
             "href": page.link(urls.clause(other.id, clause.id))}
            for other, clause in _references(project, memos).get(policy.id, ())]


def _references(project: Project, memos: Memos) -> dict[str, list[tuple[Policy, Clause]]]:
    """referenced_by_index, computed once per project object (in memos, the build session's)."""
    cache = memos.memo("references")
    cached = cache.get(id(project))
    if cached is None or cached[0] is not project:
        cache.clear()
        cached = cache[id(project)] = (project, referenced_by_index(project))
    return cached[1]


def _banners(policy: Policy, version: Version, page: Page) -> list[dict[str, Any]]:
    current = policy.current
    banners: list[dict[str, Any]] = []
    if version.status == "draft":
        text = ("This is a draft, not yet approved. It is not policy until it is approved."
                if current is not version else
                "This policy has no approved version yet: this is its latest draft.")
        banners.append({"kind": "draft", "title": "Draft", "text": text, "link": None})
    elif version is not current:
        banners.append({"kind": "superseded", "title": "Superseded",
                        "text": f"Version {version.version} has been replaced by version "
                                f"{current.version}.",  # type: ignore[union-attr]
                        "link": {"label": "Read the current version",
                                 "href": page.link(policy_page(policy.id).url)}})
    draft = _newer_draft(policy)
    if draft and version is current and version is not draft:
        banners.append({"kind": "newer-draft", "title": "A new version is being drafted",
                        "text": f"Draft {draft.version} proposes changes to this policy.",
                        "link": {"label": f"Read draft {draft.version}",
                                 "href": page.link(policy_page(policy.id, draft.version).url)}})
    return banners


def _newer_draft(policy: Policy) -> Version | None:
    current = policy.current
    drafts = [v for v in policy.versions if v.status == "draft"
              and (current is None or version_key(v.version) > version_key(current.version))]
    return drafts[-1] if drafts and drafts[-1] is not current else None


def _status_label(policy: Policy, version: Version) -> str:
    if version.status == "draft":
        return "draft"
    return "current" if version is policy.current else "superseded"


def _date(value: dt.date | None) -> str | None:
    return long_date_or_none(value)
