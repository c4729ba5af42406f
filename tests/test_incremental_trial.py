"""Incremental builds tried as users would break them (issue 16): each test is a fault found
by trying, on the example or a new project; an incremental build must equal a full build of the
same input."""

from __future__ import annotations

import pytest

from conftest import EPOCH
from test_incremental import decisions, reword
from test_incremental_property import differences, fresh_copy


@pytest.fixture
def built(scratch, monkeypatch, caplog):
    from policykit.build import build_site

    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    caplog.set_level("INFO", logger="mkdocs.plugins.policykit")
    build_site(scratch)
    reword(scratch, "can shift", "can slide")
    build_site(scratch)  # incremental: the site beside it is kept as .site.old
    assert (scratch / ".site.old").is_dir()
    return scratch


def same_as_full(root, tmp_path) -> list[str]:
    from policykit.build import build_site

    reference = build_site(fresh_copy(root, tmp_path / "reference"), incremental_allowed=False)
    return differences(root / "site", reference)


def test_a_file_added_to_the_old_folder_is_not_published(built, tmp_path, caplog):
    """A file put into .site.old (by hand, a backup tool, a web server's own file) was linked
    into the next incremental site: .site.old was reused without checking what it holds."""
    from policykit.build import build_site

    (built / ".site.old/left-by-hand.html").write_text("not ours", "utf-8")
    (built / ".site.old/policies/extra").mkdir()
    reword(built, "can slide", "can drift")
    caplog.clear()
    build_site(built)
    assert same_as_full(built, tmp_path) == []
