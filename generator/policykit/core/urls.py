"""Every address in the site and every file name it writes, in one place (pure).

The URL scheme is a contract: people link to these pages, bookmark them, and cite them in
minutes and printed packs, so a change here breaks links that policykit cannot see. URLs are
relative to the site, without a leading or trailing slash:

    (empty)                                  home
    policies                                 every policy
    policies/<policy>                        a policy's current version
    policies/<policy>/print                  its print page (the source of its PDF)
    policies/<policy>/<version>              one version (permalink)
    policies/<policy>/<version>/print        its print page
    policies/<policy>/history                every version and its approval
    policies/<policy>/compare/<old>/<new>    what changed from one version to another
    policies/<policy>/compare/<old>/<new>/print   its print page: the governors' pack
    reviews                                  review dashboard
    training                                 pathways and quizzes
    training/coverage                        which clauses the quizzes cover
    training/<quiz>                          a quiz; /print its paper, /answers its answer key
    training/<pathway>/sign-off              a pathway's sign-off sheet
    downloads/<policy>-<version>.pdf         a version's PDF
    downloads/<policy>-<old>-to-<new>.pdf    a governors' pack's PDF
    downloads/<quiz>-scorm12.zip, <quiz>-moodle.xml, <quiz>.gift.txt   a quiz for an LMS
    pagefind/                                the search index

A page's source in the docs folder is its URL's index.md (index.html for the print pages of
policies and comparisons, which are HTML already); MkDocs writes it to the URL's index.html.
"""

from __future__ import annotations

from dataclasses import dataclass

HOME = ""
POLICIES = "policies"
REVIEWS = "reviews"
REVIEWS_CALENDAR = f"{REVIEWS}/reviews.ics"  # review dates and drafts awaiting approval
TRAINING = "training"
COVERAGE = f"{TRAINING}/coverage"
DOWNLOADS = "downloads"
SEARCH = "pagefind"
PRINT_CSS = "assets/print.css"  # the print pages' stylesheet
FAVICON = "assets/images/favicon.png"  # Material's, which standalone print pages link too
QUIZ_PARTS = ("", "print", "answers")  # a quiz's page, its paper and its answer key
QUIZ_FORMATS = ("scorm12", "moodle", "gift")  # LMS exports, in the order the site lists them
PAGE_SOURCE = "index.md"
HTML_SOURCE = "index.html"


def policy(policy_id: str, version: str | None = None) -> str:
    """A policy's page: its current version, or one named version."""
    return f"{POLICIES}/{policy_id}" + (f"/{version}" if version else "")


def clause(policy_id: str, clause_id: str) -> str:
    """A clause of a policy's current version (an anchor on its page)."""
    return f"{policy(policy_id)}#{clause_id}"


def print_of(url: str) -> str:
    """The print page of a policy, version or comparison page."""
    return f"{url}/print"


def policy_print(policy_id: str, version: str | None = None) -> str:
    """The print page (and PDF source) of a policy's current version or of one version."""
    return print_of(policy(policy_id, version))


def history(policy_id: str) -> str:
    """Every version of a policy."""
    return f"{policy(policy_id)}/history"


def compare(policy_id: str, old: str, new: str) -> str:
    """What changed in a policy from version old to version new."""
    return f"{policy(policy_id)}/compare/{old}/{new}"


def compare_print(policy_id: str, old: str, new: str) -> str:
    """A comparison's print page: the governors' pack (and its PDF's source)."""
    return print_of(compare(policy_id, old, new))


def quiz(quiz_id: str, part: str = "") -> str:
    """A quiz's page, or one of its parts (QUIZ_PARTS)."""
    return f"{TRAINING}/{quiz_id}" + (f"/{part}" if part else "")


def question(quiz_id: str, question_id: str) -> str:
    """A question in a quiz's answer key."""
    return f"{quiz(quiz_id, 'answers')}#{question_id}"


def sign_off(pathway_id: str) -> str:
    """A pathway's sign-off sheet."""
    return f"{TRAINING}/{pathway_id}/sign-off"


def pdf_name(policy_id: str, version: str, to: str | None = None) -> str:
    """The file name of a version's PDF, or of the governors' pack comparing it with `to`."""
    return f"{policy_id}-{version}-to-{to}.pdf" if to else f"{policy_id}-{version}.pdf"


def pdf(policy_id: str, version: str, to: str | None = None) -> str:
    """Where a version's PDF (or, with `to`, its governors' pack) is in the site."""
    return f"{DOWNLOADS}/{pdf_name(policy_id, version, to)}"


def quiz_file_name(quiz_id: str, fmt: str) -> str:
    """The file name of a quiz's export for an LMS (QUIZ_FORMATS)."""
    return {"scorm12": f"{quiz_id}-scorm12.zip", "moodle": f"{quiz_id}-moodle.xml",
            "gift": f"{quiz_id}.gift.txt"}[fmt]


def quiz_download(quiz_id: str, fmt: str) -> str:
    """Where a quiz's export for an LMS is in the site."""
    return f"{DOWNLOADS}/{quiz_file_name(quiz_id, fmt)}"


def source(url: str) -> str:
    """The Markdown source of a page in the docs folder."""
    return f"{url}/{PAGE_SOURCE}" if url else PAGE_SOURCE


def html_source(url: str) -> str:
    """The source of a page written as HTML (a print page), in the docs folder and the site."""
    return f"{url}/{HTML_SOURCE}" if url else HTML_SOURCE


@dataclass(frozen=True)
class Page:
    """Where a generated page lives: its source path in the docs folder and its URL (both
    relative to the site)."""

    path: str
    url: str

    @classmethod
    def at(cls, url: str) -> Page:
        """The page of a URL, from Markdown."""
        return cls(source(url), url)

    @classmethod
    def html_at(cls, url: str) -> Page:
        """The page of a URL, written as HTML (a print page)."""
        return cls(html_source(url), url)

    def link(self, target_url: str) -> str:
        """A relative link from this page to target_url ('' is the home page)."""
        return relative_link(self.url, target_url)

    def link_file(self, target_path: str) -> str:
        """A relative link from this page to a file (a PDF, a stylesheet)."""
        return relative(self.url, target_path)


def relative_link(page_url: str, target_url: str) -> str:
    """A relative link from the page at page_url to target_url (which may carry an anchor)."""
    if target_url.startswith(("http://", "https://", "#")):
        return target_url
    base, _, anchor = target_url.partition("#")
    path = relative(page_url, base)
    path = "./" if path == "." else path + "/"
    return path + (f"#{anchor}" if anchor else "")


def relative(page_url: str, target: str) -> str:
    """The path from the folder page_url to target, both site-relative and normalised
    (posixpath.relpath without its trips to the file system)."""
    here = page_url.split("/") if page_url else []
    there = target.split("/") if target else []
    common = 0
    for mine, theirs in zip(here, there):
        if mine != theirs:
            break
        common += 1
    return "/".join([".."] * (len(here) - common) + there[common:]) or "."
