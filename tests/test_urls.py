"""urls.py: the site's addresses are a contract, and no other module makes one by hand."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from policykit.core import urls
from policykit.mkdocs.plugin import site_nav
from policykit.source.project import load_project
from policykit.site.pages import site_parts
from policykit.site.versions import comparison_pairs
from policykit.site.templates import folders

PACKAGE = Path(urls.__file__).parent


def test_every_address_of_a_policy():
    assert urls.policy("social-media") == "policies/social-media"
    assert urls.policy("social-media", "2023.1") == "policies/social-media/2023.1"
    assert urls.policy_print("social-media") == "policies/social-media/print"
    assert urls.policy_print("social-media", "2023.1") == "policies/social-media/2023.1/print"
    assert urls.history("social-media") == "policies/social-media/history"
    assert urls.compare("social-media", "2023.1", "2024.1") == \
        "policies/social-media/compare/2023.1/2024.1"
    assert urls.compare_print("social-media", "2023.1", "2024.1") == \
        "policies/social-media/compare/2023.1/2024.1/print"
    assert urls.clause("social-media", "purpose") == "policies/social-media#purpose"


def test_every_address_of_training_and_the_fixed_pages():
    assert (urls.HOME, urls.POLICIES, urls.REVIEWS, urls.TRAINING, urls.COVERAGE) == \
        ("", "policies", "reviews", "training", "training/coverage")
    assert [urls.quiz("induction", part) for part in urls.QUIZ_PARTS] == \
        ["training/induction", "training/induction/print", "training/induction/answers"]
    assert urls.question("induction", "q1") == "training/induction/answers#q1"
    assert urls.sign_off("new-staff") == "training/new-staff/sign-off"
    assert urls.SEARCH == "pagefind"


def test_downloads_are_named_after_what_they_hold():
    assert urls.pdf("social-media", "2023.1") == "downloads/social-media-2023.1.pdf"
    assert urls.pdf("social-media", "2023.1", "2024.1") == \
        "downloads/social-media-2023.1-to-2024.1.pdf"
    assert urls.pdf_name("social-media", "2023.1") == "social-media-2023.1.pdf"
    assert [urls.quiz_download("induction", fmt) for fmt in urls.QUIZ_FORMATS] == \
        ["downloads/induction-scorm12.zip", "downloads/induction-moodle.xml",
         "downloads/induction.gift.txt"]


def test_a_page_source_is_its_url_index():
    assert urls.source("") == "index.md"
    assert urls.source("policies/x/2023.1") == "policies/x/2023.1/index.md"
    assert urls.html_source("policies/x/print") == "policies/x/print/index.html"
    assert urls.Page.at("training") == urls.Page("training/index.md", "training")
    assert urls.Page.html_at("policies/x/print") == \
        urls.Page("policies/x/print/index.html", "policies/x/print")


@pytest.mark.parametrize("here, target, link", [
    ("", "policies/x", "policies/x/"),
    ("policies/x", "", "../../"),
    ("policies/x", "policies/x", "./"),
    ("policies/x/2023.1", "policies/x#purpose", "../#purpose"),
    ("training/q", "https://example.org", "https://example.org"),
])
def test_links_are_relative_to_the_page(here, target, link):
    assert urls.Page.at(here).link(target) == link


def test_links_to_files_are_relative_to_the_page():
    page = urls.Page.at(urls.compare("x", "1", "2"))
    assert page.link_file(urls.pdf("x", "1", "2")) == "../../../../../downloads/x-1-to-2.pdf"
    assert urls.Page.at("").link_file(urls.PRINT_CSS) == "assets/print.css"


def expected_files(project) -> set[str]:
    """Every file the rendered parts should hold, named by urls.py alone."""
    pages = [urls.HOME, urls.POLICIES, urls.REVIEWS, urls.TRAINING, urls.COVERAGE]
    printed = []
    files = []
    for policy in project.policies:
        if policy.current:
            pages.append(urls.policy(policy.id))
            printed.append(urls.policy_print(policy.id))
        for version in policy.versions:
            pages.append(urls.policy(policy.id, version.version))
            printed.append(urls.policy_print(policy.id, version.version))
        pages.append(urls.history(policy.id))
        for old, new in comparison_pairs(policy):
            pages.append(urls.compare(policy.id, old.version, new.version))
            printed.append(urls.compare_print(policy.id, old.version, new.version))
    for quiz in project.quizzes:
        pages += [urls.quiz(quiz.id, part) for part in urls.QUIZ_PARTS]
        files += [urls.quiz_download(quiz.id, fmt) for fmt in urls.QUIZ_FORMATS]
    pages += [urls.sign_off(pathway.id) for pathway in project.pathways]
    files.append(urls.REVIEWS_CALENDAR)
    return {*map(urls.source, pages), *map(urls.html_source, printed), *files}


def test_every_rendered_file_is_one_urls_names(example_root):
    project, _ = load_project(example_root)
    rendered = set()
    for part in site_parts(project, folders(example_root), dt.date(2026, 1, 1), pdf=True):
        rendered.update(part.render())
    assert rendered == expected_files(project)
    assert any("/compare/" in path for path in rendered)  # the example has comparisons
    assert project.pathways and project.quizzes


def test_the_navigation_names_rendered_pages(example_root):
    project, _ = load_project(example_root)

    def paths(items):
        for item in items:
            for value in item.values():
                yield from (paths(value) if isinstance(value, list) else [value])

    assert set(paths(site_nav(project))) <= expected_files(project)


# Literals that build a site address or a page's source by hand.
HAND_BUILT = re.compile(r"""["']policies/|f["']policies|["'](training|reviews|downloads)/"""
                        r"""|index\.md|["']/print["']|/history["']|/compare/""")


def test_no_module_but_urls_builds_an_address_by_hand():
    found = [f"{path.name}:{number}: {line.strip()}"
             for path in sorted(PACKAGE.glob("*.py")) if path.name != "urls.py"
             for number, line in enumerate(path.read_text("utf-8").splitlines(), 1)
             if HAND_BUILT.search(line)]
    assert found == []


def test_the_check_finds_a_hand_built_address():
    for line in ('url = f"policies/{policy.id}"', 'page = Page("reviews/index.md", "reviews")',
                 'url + "/print"', 'site / "downloads/" + name'):
        assert HAND_BUILT.search(line), line
