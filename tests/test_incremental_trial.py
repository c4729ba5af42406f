"""Incremental builds tried as users would break them (issue 16): each test is a fault found
by trying, on the example or a new project; an incremental build must equal a full build of the
same input."""

from __future__ import annotations

import pytest

from conftest import EPOCH
from test_incremental import reword
from test_incremental_property import differences, fresh_copy


@pytest.fixture
def built(scratch, monkeypatch, caplog):
    from policykit.mkdocs.host import build_site

    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    caplog.set_level("INFO", logger="mkdocs.plugins.policykit")
    build_site(scratch)
    reword(scratch, "can shift", "can slide")
    build_site(scratch)  # incremental: the site beside it is kept as .site.old
    assert (scratch / ".site.old").is_dir()
    return scratch


def same_as_full(root, tmp_path) -> list[str]:
    from policykit.mkdocs.host import build_site

    reference = build_site(fresh_copy(root, tmp_path / "reference"), incremental_allowed=False)
    return differences(root / "site", reference)


def test_a_file_added_to_the_old_folder_is_not_published(built, tmp_path, caplog):
    """A file put into .site.old (by hand, a backup tool, a web server's own file) was linked
    into the next incremental site: .site.old was reused without checking what it holds."""
    from policykit.mkdocs.host import build_site

    (built / ".site.old/left-by-hand.html").write_text("not ours", "utf-8")
    (built / ".site.old/policies/extra").mkdir()
    reword(built, "can slide", "can drift")
    caplog.clear()
    build_site(built)
    assert same_as_full(built, tmp_path) == []


def test_an_edited_override_in_a_custom_dir_of_its_own_is_built(scratch, tmp_path, monkeypatch,
                                                                caplog):
    """Material's usual `custom_dir: overrides` (beside mkdocs.yml, not in docs_templates/):
    editing overrides/main.html left the site as it was."""
    from policykit.mkdocs.host import build_site

    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    caplog.set_level("INFO", logger="mkdocs.plugins.policykit")
    (scratch / "overrides").mkdir()
    main = scratch / "overrides/main.html"
    main.write_text('{% extends "base.html" %}\n'
                    "{% block announce %}Term starts Monday{% endblock %}\n", "utf-8")
    config = scratch / "mkdocs.yml"
    config.write_text(config.read_text("utf-8").replace(
        "custom_dir: docs_templates/overrides", "custom_dir: overrides"), "utf-8")
    build_site(scratch)
    assert "Term starts Monday" in (scratch / "site/index.html").read_text("utf-8")
    main.write_text(main.read_text("utf-8").replace("Monday", "Tuesday"), "utf-8")
    caplog.clear()
    build_site(scratch)
    assert "Term starts Tuesday" in (scratch / "site/index.html").read_text("utf-8")


def modes(site) -> dict[str, int]:
    return {p.relative_to(site).as_posix(): p.stat().st_mode & 0o777 for p in site.rglob("*")}


def test_a_site_built_after_the_umask_changed_has_the_permissions_a_full_build_gives(
        scratch, tmp_path, monkeypatch):
    """Built once with umask 027 (a cron job, sudo), then as usual with 022: the incremental
    site kept folders 0750 and files 0640 from the first build, so a web server running as
    another user could not read it; a full build gives 0755 and 0644 everywhere."""
    import os

    from policykit.mkdocs.host import build_site

    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    before = os.umask(0o027)
    try:
        build_site(scratch)
        reword(scratch, "can shift", "can slide")
        build_site(scratch)
    finally:
        os.umask(before)
    os.umask(0o022)
    try:
        reword(scratch, "can slide", "can drift")
        build_site(scratch)
        reference = build_site(fresh_copy(scratch, tmp_path / "reference"),
                               incremental_allowed=False)
    finally:
        os.umask(before)
    assert differences(scratch / "site", reference) == []
    assert modes(scratch / "site") == modes(reference)


def _hook(root):
    (root / "hooks").mkdir()
    (root / "hooks/stamp.py").write_text(
        "def on_post_page(output, page, config, **kwargs):\n"
        "    return output.replace('</body>', '<!-- stamp Monday --></body>')\n", "utf-8")
    config = root / "mkdocs.yml"
    config.write_text(config.read_text("utf-8") + "\nhooks:\n  - hooks/stamp.py\n", "utf-8")
    return root / "hooks/stamp.py", "index.html"


def _snippet(root):
    (root / "includes").mkdir()
    (root / "includes/abbreviations.md").write_text(
        "*[DSL]: Designated Safeguarding Lead\n\nTerm starts on Monday.\n", "utf-8")
    config = root / "mkdocs.yml"
    config.write_text(config.read_text("utf-8").replace(
        "markdown_extensions:\n", "markdown_extensions:\n  - pymdownx.snippets:\n"
        f"      base_path: ['{root}']\n      auto_append: [includes/abbreviations.md]\n", 1),
        "utf-8")
    return root / "includes/abbreviations.md", "policies/index.html"


@pytest.mark.parametrize("named", [_hook, _snippet])
def test_an_edited_file_that_mkdocs_yml_names_is_built(scratch, tmp_path, monkeypatch, named):
    """`hooks: [hooks/stamp.py]`, or Material's glossary recipe (pymdownx.snippets'
    auto_append of includes/abbreviations.md): editing the file left the site as it was.
    (Built by the command: MkDocs keeps a hook module loaded for the life of a process.)"""
    import subprocess
    import sys

    def build_site(root):
        subprocess.run([sys.executable, "-m", "policykit", "--project", str(root), "build"],
                       check=True, capture_output=True)

    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    path, page = named(scratch)
    build_site(scratch)
    assert "Monday" in (scratch / "site" / page).read_text("utf-8")
    path.write_text(path.read_text("utf-8").replace("Monday", "Tuesday"), "utf-8")
    build_site(scratch)
    assert "Tuesday" in (scratch / "site" / page).read_text("utf-8")


def _env_block(root, monkeypatch):
    """`!ENV` on a block sequence (valid YAML, read by MkDocs like `!ENV [NAME, default]`)."""
    config = root / "mkdocs.yml"
    config.write_text(config.read_text("utf-8").replace(
        "copyright: Newbury School", "copyright: !ENV\n  - POLICYKIT_TRIAL_COPYRIGHT\n"
        "  - Newbury School"), "utf-8")
    monkeypatch.setenv("POLICYKIT_TRIAL_COPYRIGHT", "Copyright Monday")
    return lambda: monkeypatch.setenv("POLICYKIT_TRIAL_COPYRIGHT", "Copyright Tuesday")


def _inherit_twice(root, monkeypatch):
    """mkdocs.yml INHERITs base.yml, which INHERITs trust.yml (MkDocs follows the chain)."""
    (root / "trust.yml").write_text("copyright: Copyright Monday\n", "utf-8")
    (root / "base.yml").write_text("INHERIT: trust.yml\n", "utf-8")
    config = root / "mkdocs.yml"
    config.write_text("INHERIT: base.yml\n" + config.read_text("utf-8").replace(
        "copyright: Newbury School\n", ""), "utf-8")
    trust = root / "trust.yml"
    return lambda: trust.write_text("copyright: Copyright Tuesday\n", "utf-8")


@pytest.mark.parametrize("configure", [_env_block, _inherit_twice])
def test_a_changed_setting_that_mkdocs_reads_is_built(scratch, monkeypatch, configure):
    from policykit.mkdocs.host import build_site

    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    change = configure(scratch, monkeypatch)
    build_site(scratch)
    assert "Copyright Monday" in (scratch / "site/index.html").read_text("utf-8")
    change()
    build_site(scratch)
    assert "Copyright Tuesday" in (scratch / "site/index.html").read_text("utf-8")


def test_a_site_linked_into_a_web_root_leaves_no_old_copy_there(scratch, tmp_path, monkeypatch):
    """site -> /var/www/html/policies: after two builds /var/www/html/.policies.old/ held the
    previous site, so a withdrawn draft stayed readable at /.policies.old/..."""
    from policykit.mkdocs.host import build_site

    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    webroot = tmp_path / "www"
    (webroot / "policies").mkdir(parents=True)
    (scratch / "site").symlink_to(webroot / "policies")
    build_site(scratch)
    reword(scratch, "can shift", "can slide")
    build_site(scratch)
    assert sorted(p.name for p in webroot.iterdir()) == ["policies"]


@pytest.mark.parametrize("moved", [True, False])
def test_an_old_folder_that_is_a_link_is_left_alone(built, tmp_path, caplog, moved):
    """.site.old replaced by a link to another folder (the old site moved to a backup disk
    and linked back, say): every later build crashed in shutil.rmtree ('Cannot call rmtree on
    a symbolic link'), leaving a staging folder behind. The link is removed, never what it
    points to."""
    import shutil

    from policykit.mkdocs.host import build_site

    elsewhere = tmp_path / "elsewhere"
    if moved:  # the site's files keep their link counts: the next build is incremental
        shutil.move(built / ".site.old", elsewhere)
    else:
        shutil.rmtree(built / ".site.old")
        elsewhere.mkdir()
        (elsewhere / "keep.txt").write_text("mine", "utf-8")
    before = sorted(p.relative_to(elsewhere) for p in elsewhere.rglob("*"))
    (built / ".site.old").symlink_to(elsewhere)
    reword(built, "can slide", "can drift")
    build_site(built)
    assert same_as_full(built, tmp_path) == []
    assert sorted(p.relative_to(elsewhere) for p in elsewhere.rglob("*")) == before
    assert not list(built.glob(".site.staging-*"))
