"""argv -> calls for governors' review commands: `policykit pack` writes one PDF for a
meeting (cover, agenda, then every governors' pack in order)."""

from __future__ import annotations

import argparse
import datetime as dt
import re
import sys
from pathlib import Path

from markupsafe import Markup
from policykit.core.dates import long_date

from policykit.core.errors import errors, shown
from policykit.cli.common import OK, PROBLEMS, USAGE, report, report_about, site_url as _site_url
from policykit.compare.compare import compare_versions
from policykit.core.urls import compare_print, policy_print, relative_link
from policykit.engine.build import build_date, load_and_check
from policykit.engine.config_guard import read_config
from policykit.engine.guard import PACK_CREATOR, SiteFolderError, check_output_file, is_our_pack
from policykit.engine.pdf import standalone_links
from policykit.engine.write import write_tree
from policykit.quiz.bank import covering_questions
from policykit.site.pages import environment
from policykit.site.reviews import review_rows
from policykit.site.templates import folders
from policykit.site.versions import compare_view, first_approval_view
from policykit.checks.approval import approval_blockers


def register(commands: argparse._SubParsersAction) -> None:
    """Add this module's commands to the policykit command line."""
    pack = commands.add_parser("pack", help="write one PDF for a governors' meeting: cover, "
                               "agenda and the pack of every policy chosen")
    chosen = pack.add_mutually_exclusive_group(required=True)
    chosen.add_argument("--due-before", type=_date, metavar="YYYY-MM-DD",
                        help="policies whose review falls due before this date")
    chosen.add_argument("--drafts", action="store_true", help="every draft awaiting approval")
    pack.add_argument("--output", "-o", default="meeting-pack.pdf", metavar="FILE",
                      help="the PDF to write (default: meeting-pack.pdf in the project); an "
                           "existing file is replaced only when it is a meeting pack "
                           "policykit wrote")
    pack.add_argument("--force", action="store_true",
                      help="replace FILE even when it is not a meeting pack policykit wrote "
                           "(never an input of the project)")
    pack.set_defaults(run=_pack)


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date: write YYYY-MM-DD") from None


def _pack(root: Path, args: argparse.Namespace) -> int:
    target = Path(args.output)
    target = target if target.is_absolute() else root / target
    if target.suffix.lower() != ".pdf":
        print(f"policykit: error: {shown(args.output)} does not end in .pdf — name the PDF "
              "to write, such as meeting-pack.pdf; nothing was written", file=sys.stderr)
        return USAGE
    try:
        check_output_file(target, root, is_our_pack, args.force)
        if (root / "mkdocs.yml").exists():  # read for site_url: never wait on a FIFO
            read_config(root / "mkdocs.yml", "mkdocs.yml")
    except SiteFolderError as error:
        print(f"policykit: {error}", file=sys.stderr)
        return PROBLEMS
    project, problems = load_and_check(root)
    if errors(problems):
        report(problems)
        print("policykit: no meeting pack written", file=sys.stderr)
        return PROBLEMS
    today = build_date()
    items = meeting_items(project, root, args.due_before, args.drafts, today, _site_url(root))
    report_about(problems, project, [item["policy"] for item in items])
    if not items:
        print("policykit: no policy matches: no meeting pack written", file=sys.stderr)
        return PROBLEMS
    criterion = ("drafts awaiting approval" if args.drafts else
                 f"reviews due before {long_date(args.due_before)}")
    html = meeting_html(project, root, items, criterion, today)
    pages = write_pdf(html, target, root)
    packs = len([i for i in items if i["body"]])
    print(f"wrote {target} ({packs} pack{'' if packs == 1 else 's'}, {pages} "
          f"page{'' if pages == 1 else 's'})")
    _say_what_stops_approval(project, items)
    return OK


def _say_what_stops_approval(project, items: list[dict]) -> None:
    """Warn of each draft in the pack that approve would refuse as it stands, and why: the
    meeting is told before it meets, not by approve after it."""
    for item in items:
        policy = project.policy(item["policy"])
        drafts = [v for v in policy.versions if v.status == "draft"] if policy else []
        if not drafts:
            continue
        for reason in approval_blockers(project, policy, drafts[-1]):
            print(f"{drafts[-1].source.path}: warning: {policy.id} {drafts[-1].version} cannot "
                  f"be approved yet: {reason}", file=sys.stderr)


def meeting_items(project, root: Path, due_before: dt.date | None, drafts: bool,
                  today: dt.date, site_url: str | None) -> list[dict]:
    """The agenda in order (review date, then title): each policy's pack body, or None when
    a policy is due for review with no draft yet. A draft of a policy never approved gets a
    first-approval pack: its full text, nothing to compare it with."""
    env = environment(folders(root))
    items = []
    for row in review_rows(project, today):
        if drafts and not row["draft"]:
            continue
        if due_before and not (row["due"] and row["due"] < due_before):
            continue
        policy, pair, draft = row["policy"], row["pair"], row["draft"]
        questions = covering_questions(project, policy.id)
        if not pair and draft is not None:
            page = env.get_template("first_approval.html.j2").render(view=first_approval_view(
                policy, draft, questions, project.organisation.name, generated=today))
            items.append({"title": policy.title, "policy": policy.id,
                          "label": f"version {draft.version} for first approval",
                          "body": _embedded(page, policy.id,
                                            policy_print(policy.id, draft.version), site_url)})
            continue
        if not pair:
            items.append({"title": policy.title, "policy": policy.id,
                          "label": "review due, no draft yet", "body": None})
            continue
        url = compare_print(policy.id, pair[0].version, pair[1].version)
        def link(target, here=url):
            return relative_link(here, target)
        old, new = pair
        comparison = compare_versions(old, new, questions)
        page = env.get_template("compare_standalone.html.j2").render(
            view=compare_view(policy, comparison, link, project.organisation.name,
                              generated=today), print_css="", favicon="data:,")
        items.append({"title": policy.title, "policy": policy.id,
                      "label": f"changes from {pair[0].version} to {pair[1].version}",
                      "body": _embedded(page, policy.id, url, site_url)})
    return items


def _embedded(page: str, policy_id: str, url: str, site_url: str | None) -> Markup:
    """A standalone pack page's body, to stand in the meeting pack: ids prefixed with the
    policy's, links made absolute on site_url (or plain text)."""
    body = page.split("<body>", 1)[1].rsplit("</body>", 1)[0]
    body = body.replace("<main>", "<div>").replace("</main>", "</div>")
    body = re.sub(r'\bid="', 'id="' + policy_id + "-", body)
    body = re.sub(r'(href="#|aria-labelledby=")', r'\1' + policy_id + "-", body)
    return Markup(standalone_links(body, url, site_url))


def meeting_html(project, root: Path, items: list[dict], criterion: str,
                 today: dt.date) -> str:
    """The meeting pack as one HTML document; each item's anchor is named by its place on the
    agenda (an item without a pack keeps its number, so the links after it stay true)."""
    env = environment(folders(root))
    css = _print_css(root)
    entries = [dict(item, anchor=f"item-{number}") for number, item in enumerate(items, 1)]
    view = {"organisation": project.organisation.name, "criterion": criterion,
            "generated": long_date(today), "entries": entries}
    return env.get_template("meeting_pack.html.j2").render(view=view, css=Markup(css))


def _print_css(root: Path) -> str:
    for folder in folders(root):
        path = folder / "assets" / "print.css"
        if path.exists():
            return path.read_text("utf-8")
    return ""


def write_pdf(html: str, target: Path, root: Path) -> int:
    """Render html to a tagged PDF at target (atomically, with the mode the umask gives, as
    the site's files: a clerk's colleague or a web server may read it); its number of pages."""
    import weasyprint

    document = weasyprint.HTML(string=html, base_url=str(root)).render()
    document.metadata.generator = PACK_CREATOR  # how the next pack knows it may replace it
    write_tree(target.parent, {target.name: document.write_pdf(pdf_variant="pdf/ua-1")},
               prune=False)
    return len(document.pages)
