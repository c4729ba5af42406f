"""Shared fixtures: the bundled example, scratch copies of it, and built sites."""

from __future__ import annotations

import gzip
import json
import os
import shutil
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PROJECT_PARTS = ("policy", "quizzes", "docs_templates", "mkdocs.yml")
EPOCH = "1767225600"  # 2026-01-01: builds in tests are reproducible
# policykit's cache of earlier runs goes to a folder of this test session, not the user's.
os.environ["POLICYKIT_CACHE_DIR"] = tempfile.mkdtemp(prefix="policykit-test-cache-")


def copy_project(dest: Path) -> Path:
    """A copy of the example project (data, templates, MkDocs config) at dest."""
    dest.mkdir(parents=True, exist_ok=True)
    for name in PROJECT_PARTS:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, dest / name)
        elif source.exists():
            shutil.copy2(source, dest / name)
    return dest


def remove_draft(root: Path) -> None:
    """Take the 2024.1 draft out of a copy of the example, with the question prepared for it."""
    (root / "policy/social-media/versions/2024.1.yaml").unlink()
    bank = root / "quizzes/social-media-induction.yaml"
    text = bank.read_text("utf-8")
    bank.write_text(text[:text.index("  # Prepared for draft 2024.1")], "utf-8")


def lock(root: Path, policy_id: str, *versions: str) -> None:
    """Record approved versions in the policy's approved.lock, as policykit approve does (an
    approved version without its lock entry is an error)."""
    from policykit.source import workflow

    folder = root / "policy" / policy_id
    path = folder / workflow.LOCK_FILE
    entries = json.loads(path.read_text("utf-8"))["versions"] if path.exists() else {}
    for version in versions:
        entries[version] = workflow.content_hash((folder / f"versions/{version}.yaml").read_bytes())
    path.write_text(workflow.lock_text(entries), "utf-8")


def build(root: Path, monkeypatch=None, strict: bool = True, pdf: bool = False) -> Path:
    """Build root's site with a fixed SOURCE_DATE_EPOCH; the site folder."""
    import os

    from policykit.mkdocs.host import build_site

    previous = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = EPOCH
    try:
        return build_site(root, strict=strict, pdf=pdf)
    finally:
        if previous is None:
            del os.environ["SOURCE_DATE_EPOCH"]
        else:
            os.environ["SOURCE_DATE_EPOCH"] = previous


def searched_pages(site: Path) -> dict[str, dict]:
    """What Pagefind indexed, by page URL: its title, words and anchors (decoded fragments)."""
    pages = {}
    for fragment in (site / "pagefind/fragment").glob("*.pf_fragment"):
        data = gzip.decompress(fragment.read_bytes())
        assert data.startswith(b"pagefind_dcd")
        entry = json.loads(data[len(b"pagefind_dcd"):])
        pages[entry["url"]] = entry
    return pages


@pytest.fixture(scope="session")
def example_root() -> Path:
    """The bundled example project (the repository itself); read only."""
    return ROOT


@pytest.fixture
def scratch(tmp_path: Path) -> Path:
    """A writable copy of the example project, for tests that change it."""
    return copy_project(tmp_path / "project")


@pytest.fixture(scope="session")
def example_site(tmp_path_factory) -> Path:
    """The example's site, built once for the session."""
    return build(copy_project(tmp_path_factory.mktemp("example") / "project"))


@pytest.fixture(scope="session")
def renewal_site(tmp_path_factory) -> Path:
    """The example with 2024.1 approved and a draft 2025.1: superseded and draft pages."""
    root = copy_project(tmp_path_factory.mktemp("renewal") / "project")
    versions = root / "policy/social-media/versions"
    text = (versions / "2024.1.yaml").read_text("utf-8")
    approved = text.replace("status: draft", "status: approved\nreview_due: 2025-09-01")
    (versions / "2024.1.yaml").write_text(approved, "utf-8")
    draft = text.replace('version: "2024.1"', 'version: "2025.1"')
    (versions / "2025.1.yaml").write_text(draft, "utf-8")
    lock(root, "social-media", "2024.1")
    return build(root)


@pytest.fixture(scope="session")
def two_policy_site(tmp_path_factory) -> Path:
    """The example plus a second policy kept here that links to, and refers into, the first."""
    root = copy_project(tmp_path_factory.mktemp("two") / "project")
    folder = root / "policy/online-safety"
    (folder / "versions").mkdir(parents=True)
    (folder / "policy.yaml").write_text(
        "id: online-safety\ntitle: Online Safety Policy\nowner: Headteacher\n"
        "linked_policies: [social-media]\n", "utf-8")
    (folder / "versions/1.yaml").write_text(
        'version: "1"\nstatus: approved\nsections:\n  - id: contact\n    title: Contact\n'
        "    clauses:\n      - id: pupil-contact\n        kind: prohibition\n"
        "        text: Never accept pupils as online friends.\n"
        "        quiz_exempt: Test fixture; covered by its own training elsewhere.\n"
        '        refs: ["social-media#decline-friend-requests"]\n', "utf-8")
    social = root / "policy/social-media/policy.yaml"
    social.write_text(social.read_text("utf-8").replace("whistleblowing]",
                                                        "whistleblowing, online-safety]"), "utf-8")
    lock(root, "online-safety", "1")
    return build(root)


@pytest.fixture(scope="session")
def browser():
    """Debian's headless Chromium, driven by Playwright (no browser download)."""
    from playwright.sync_api import sync_playwright

    from browser import CHROMIUM_ARGS, chromium_path

    assert chromium_path(), "Debian's chromium is needed: ./dev test installs it"
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def site_url(example_site):
    """The example's site on a plain static file server on 127.0.0.1."""
    from browser import serve

    with serve(example_site) as url:
        yield url


@pytest.fixture
def quiz(browser, site_url):
    """The example's quiz page in Chromium at desktop width, its data as page.data; no
    script error allowed."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(site_url + "training/social-media-induction/")
    page.data = json.loads(page.locator("#pk-quiz-data").text_content())
    yield page
    assert errors == []
    context.close()


# Test tiers (`./dev test fast` runs the unit and golden tiers; `./dev test` runs everything, as
# CI does). A test is in the browser tier when it drives Chromium, in the slow tier when its
# file builds many whole sites or runs servers, PDFs or property tests; every other test is fast.
SLOW_FILES = {
    "test_bench.py", "test_cache_property.py", "test_incremental_property.py",
    "test_incremental_trial.py", "test_incremental.py", "test_pdf.py", "test_product_wheel.py",
    "test_product_properdocs.py", "test_serve.py", "test_raw_html.py", "test_raw_html_trial.py",
    "test_product_lint.py", "test_hostile.py", "test_docs_site.py",
    # real commands in processes of their own, many builds, servers, tmpfs mounts
    "test_cache_heals.py", "test_user_files_safe.py", "test_user_files_property.py",
    "test_trust_errors.py", "test_trust_build.py", "test_governors_imported.py",
    "test_governors_corpus.py", "test_import_shapes.py", "test_import_robust.py",
    "test_serve_recovery.py", "test_drafts_private.py", "test_cli_refusals.py",
    "test_file_modes.py", "test_site_assets.py", "test_problem_codes.py",
}


def pytest_configure(config) -> None:
    config.addinivalue_line("markers", "browser: drives headless Chromium (the browser tier)")
    config.addinivalue_line("markers", "slow: builds many sites, runs servers, PDFs or "
                                       "property tests (the slow tier)")


# The files that take longest (measured with --durations), longest first. A file runs whole on
# one core (--dist loadfile): one of these started last keeps that core busy for minutes while the
# other has nothing left to do. pytest-xdist would put them last (it orders files by their number
# of tests, most first, and these have few), so `./dev test` turns its order off for this one.
LONGEST_FIRST = ("test_incremental_property.py", "test_cache_property.py", "test_bench.py",
                 "test_trust_adoption_records.py", "test_records_roster.py",
                 "test_user_files_property.py", "test_product_wheel.py", "test_hostile.py",
                 "test_quiz_critical_browser.py", "test_product_lint.py")


def running_order(items: list) -> list:
    """items with the LONGEST_FIRST files first, then the others' files by their number of tests,
    most first (pytest-xdist's own order); each file's tests stay as collected."""
    per_file: dict[str, int] = {}
    for item in items:
        per_file[item.path.name] = per_file.get(item.path.name, 0) + 1

    def rank(item) -> tuple[int, int]:
        name = item.path.name
        return ((LONGEST_FIRST.index(name), 0) if name in LONGEST_FIRST
                else (len(LONGEST_FIRST), -per_file[name]))
    return sorted(items, key=rank)


def pytest_collection_modifyitems(config, items) -> None:
    for item in items:
        if "browser" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.browser)
        if item.path.name in SLOW_FILES:
            item.add_marker(pytest.mark.slow)
    items[:] = running_order(items)


def pytest_addoption(parser) -> None:
    parser.addoption("--update-golden", action="store_true",
                     help="refresh tests/golden/ from today's output (review the diff)")
