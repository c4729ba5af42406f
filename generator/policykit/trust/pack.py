"""`policykit trust pack <school> <policy> [-o FILE]` (I/O at the edges): one PDF for a school's
local governing body, as `policykit pack` writes one for a governing body. Its two parts are
kept apart: what the trust changed in its model (the model version the school adopted last
against the one it adopts now, as the trust's own comparison) and what the school changes
(its tailored and added clauses against the model, and against its last adoption)."""

from __future__ import annotations

import datetime as dt
import re
import shlex
import sys
from pathlib import Path

from markupsafe import Markup, escape

from policykit.core.dates import long_date
from policykit.core.errors import shown
from policykit.core.memos import Memos
from policykit.core.text import markdown_to_html
from policykit.trust import adoption as adoptions, values
from policykit.trust.adopt import Adopting, prepared
from policykit.trust.report import school_markdown
from policykit.trust.sites import write_project
from policykit.cli.review import write_pdf
from policykit.engine.build import build_date
from policykit.engine.guard import SiteFolderError, check_output_file, is_our_pack
from policykit.compare.compare import compare_versions
from policykit.engine.session import BuildSession
from policykit.quiz.bank import covering_questions
from policykit.site.pages import render_compare_standalone
from policykit.engine.pdf import standalone_links
from policykit.source.inputs import scan
from policykit.source.project import load_project
from policykit.site.pages import environment
from policykit.site.templates import folders
from policykit.site.versions import first_approval_view

OK, PROBLEMS, USAGE = 0, 1, 2
TEMPLATE = "trust_pack.html.j2"


def pack(root: Path, school_id: str, policy_id: str, output: str | None, force: bool,
         session: BuildSession | None = None) -> int:
    """Write the school's governors' pack for policy_id: 0, 1 (problems) or 2 (usage).
    session: the model's build session (the command's, which has read the model already)."""
    session = session or BuildSession(root)
    name = output or f"{school_id}-{policy_id}-pack.pdf"
    target = Path(name) if Path(name).is_absolute() else root / name
    if target.suffix.lower() != ".pdf":
        print(f"policykit: error: {shown(name)} does not end in .pdf — name the PDF to write, "
              "such as pack.pdf; nothing was written", file=sys.stderr)
        return USAGE
    try:
        check_output_file(target, root, is_our_pack, force)
    except SiteFolderError as error:
        print(f"policykit: {error}", file=sys.stderr)
        return PROBLEMS
    found = prepared(root, school_id, policy_id, done="packed")  # refused: 'not packed'
    if isinstance(found, int):
        return found
    model_part = _model_changes(root, found, policy_id, session)
    if isinstance(model_part, int):
        return model_part
    view = pack_view(found, policy_id, model_part, build_date())
    if view["last"] is None:  # a first adoption: the governors read the whole text
        view["full_text"] = full_text(root, found, policy_id, session)
        if view["full_text"] is None:
            print(f"policykit: error: {school_id}'s text of {policy_id} cannot be read — run "
                  "policykit trust check; nothing was written", file=sys.stderr)
            return PROBLEMS
    html = pack_html(root, view)
    pages = write_pdf(html, target, root)
    print(f"wrote {target} ({pages} pages)")
    print("once the governing body has adopted it, record its decision with:\n  "
          + " ".join(adopt_command(found.school.id, policy_id, found.adoption["adopts"])))
    return OK


def pack_view(found: Adopting, policy_id: str, model_part: Markup | None,
              today: dt.date) -> dict:
    """What the school's governors read, as plain sorted values."""
    school, version = found.school, found.adoption["adopts"]
    earlier = found.history.get(policy_id, [])
    last = earlier[-1] if earlier else None
    document = found.model.version(policy_id, version)
    assert document is not None  # resolved: the school adopts a version the model has
    model_approved = {"on": document.data.get("approved_on"), "by": document.data.get("approved_by")}
    digest = adoptions.state_hash(found.state)
    against_last = _against_last(last.adopted if last else None, found.state)
    return {
        "trust": found.trust.name, "school": school.data["name"], "school_id": school.id,
        "policy": policy_id, "title": _title(found, policy_id), "version": version,
        "last": last.record() if last else None, "model_approved": model_approved,
        "model_part": model_part, "against_model": _against_model(found, policy_id),
        "against_last": against_last,
        "values_in_use": _values_in_use(last, version, against_last),
        "values": found.state["values"], "hash": digest, "generated": long_date(today),
        "command": " \\\n  ".join(adopt_command(school.id, policy_id, version)),
        "history": [a.record() for a in earlier], "full_text": None}


def full_text(root: Path, found: Adopting, policy_id: str,
              model: BuildSession | None = None) -> list[dict] | None:
    """The school's text of the policy as its site will have it (values filled in), by
    section, as a first-approval pack shows a policy's text, each clause the school tailors
    or adds marked; None when it cannot be read. model: the model's build session (what it
    has said of the cache is not said again for the school's project's)."""
    folder = write_project(root, found.resolved)
    session = BuildSession(folder)
    session.cache_warned = model is not None and model.cache_warned
    project, _ = load_project(folder, session, scan(folder))
    policy = project.policy(policy_id)
    version = policy.version(found.adoption["adopts"]) if policy else None
    if policy is None or version is None:
        return None
    local = {d.clause: d.kind for d in found.resolved.departures if d.policy == policy_id}
    sections = first_approval_view(policy, version, {})["document"]
    for section in sections:
        for clause in section["clauses"]:
            clause["local"] = local.get(clause["id"])
    return sections


def adopt_command(school_id: str, policy_id: str, version: str) -> list[str]:
    """The command that records the adoption, in parts that each keep to one line: the pack
    shows them joined by shell line continuations (' \\' and a line break), so that the
    command pasted from it runs whole; the terminal, on one line."""
    return [f"policykit trust adopt {shlex.quote(school_id)} {shlex.quote(policy_id)} "
            f"{shlex.quote(version)}", "--date YYYY-MM-DD", '--by "..."', '--minute "..."']


def _title(found: Adopting, policy_id: str) -> str:
    return str(found.model.documents[f"policy/{policy_id}/policy.yaml"].data.get("title",
                                                                                 policy_id))


def _against_model(found: Adopting, policy_id: str) -> list[dict]:
    """The school's tailored and added clauses, with the model's text beside each: each as
    the school's site shows it (values filled in, its Markdown rendered as a clause's is)."""
    given = values.school_values(found.school.data)
    memos = Memos()
    rows = [{"clause": d.clause, "section": d.section, "kind": d.kind,
             "model_text": markdown_to_html(values.fill(d.model_text, given), (), memos)
             if d.model_text else None,
             "school_text": markdown_to_html(school_markdown(found.school.data, d), (), memos)}
            for d in found.resolved.departures if d.policy == policy_id]
    return sorted(rows, key=lambda r: (r["kind"], r["clause"]))


def _against_last(then: dict | None, now: dict) -> list[dict]:
    """How the school's local changes differ from those of its last adoption: each tailored
    or added clause new, changed or withdrawn since, and each value its text uses given anew
    (everything is new at a first adoption). Before and after are HTML: a clause's text as
    the school's site shows it, a value as text."""
    before = _local(then) if then else {}
    after = _local(now)
    rows, memos = [], Memos()
    for key in sorted(set(before) | set(after)):
        old, new = before.get(key), after.get(key)
        if old == new:
            continue
        change = "new" if old is None else "withdrawn" if new is None else "changed"
        rows.append({"clause": key[1], "kind": key[0], "change": change,
                     "before": _clause_html(old, memos), "after": _clause_html(new, memos),
                     "why": now.get("change_notes", {}).get(key[1], "")})
    if then:  # a value the text uses, given anew since (a trial: the pack showed only the new)
        given, giving = then.get("values", {}), now["values"]
        for name in sorted(set(given) | set(giving)):
            if given.get(name) != giving.get(name):
                rows.append({"clause": f"%{{{name}}}", "kind": "value",
                             "change": "changed" if name in given and name in giving
                             else "new" if name in giving else "no longer used",
                             "before": escape(given.get(name, "")),
                             "after": escape(giving.get(name, "")), "why": ""})
    return rows


def _values_in_use(last: adoptions.Adoption | None, version: str, rows: list[dict]) -> bool:
    """Whether only values changed since the last adoption, of this same model version: the
    school's site then already shows the new values under that adoption (see adoption.edits),
    and the pack says so: the governing body adopts what staff already read."""
    return last is not None and last.version == version and bool(rows) \
        and all(row["kind"] == "value" for row in rows)


def _local(state: dict) -> dict[tuple[str, str], tuple[str, str]]:
    """A state's local changes by (kind, clause id): their Markdown as the school's site has
    it (values filled in), and the section an added clause is added to ('' for a tailored)."""
    def filled(text: str) -> str:
        return values.fill(text, state["values"])
    found = {("tailored", k): (filled(v), "") for k, v in state["tailored"].items()}
    found.update({("added", a["id"]): (filled(a["text"]), a["section"]) for a in state["added"]})
    return found


def _clause_html(entry: tuple[str, str] | None, memos: Memos) -> Markup:
    """A local change's text rendered as a clause's is, and the section it is added to."""
    if entry is None:
        return Markup("")
    text, section = entry
    added = Markup("<p>(added to section {})</p>").format(section) if section else ""
    return markdown_to_html(text, (), memos) + added


def _model_changes(root: Path, found: Adopting, policy_id: str,
                   session: BuildSession) -> Markup | None | int:
    """The trust's comparison of the model version the school adopted last with the one it
    adopts now (as `policykit diff --format html`), None when there is nothing to compare."""
    earlier = found.history.get(policy_id, [])
    version = found.adoption["adopts"]
    if not earlier or earlier[-1].version == version:
        return None
    project, _ = load_project(root, session, scan(root))
    policy = project.policy(policy_id)
    old = policy.version(earlier[-1].version) if policy else None
    new = policy.version(version) if policy else None
    if policy is None or old is None or new is None:
        print(f"policykit: error: the model's {policy_id} {earlier[-1].version} or {version} "
              "cannot be read — run policykit trust check", file=sys.stderr)
        return PROBLEMS
    comparison = compare_versions(old, new, covering_questions(project, policy_id))
    page = standalone_links(render_compare_standalone(project, root, comparison), "", None)
    body = page.split("<body>", 1)[1].rsplit("</body>", 1)[0]
    return Markup(unbroken_values(body.replace("<main>", "<div>").replace("</main>", "</div>")))


_TAG_OR_VALUE = re.compile(r"(<[^>]*>)|(%\{[^{}<>\s]*\})")


def unbroken_values(html: str) -> str:
    """html with each value name in its text (%{dsl.name}) kept on one line when printed."""
    return _TAG_OR_VALUE.sub(lambda m: m.group(1) or
                             f'<span class="pk-value">{m.group(2)}</span>', html)


def pack_html(root: Path, view: dict) -> str:
    """The pack as one HTML document (every text escaped by the template's autoescape)."""
    css = ""
    for folder in folders(root):
        if (folder / "assets" / "print.css").exists():
            css = (folder / "assets" / "print.css").read_text("utf-8")
            break
    return environment(folders(root)).get_template(TEMPLATE).render(
        view=view, css=Markup(css), quote=shlex.quote)
