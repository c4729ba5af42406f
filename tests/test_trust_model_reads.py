"""trust serve reads the model whole once, then only the files that changed
(sites.read_model_again): what it gives is always what reading the model whole gives."""

from __future__ import annotations

import os

from policykit.trust.model_files import read_model
from policykit.trust.sites import read_model_again
from trust_helpers import copy_trust

VERSION = "policy/social-media/versions/2023.1.yaml"


def same(first, second) -> bool:
    return ({path: doc.data for path, doc in first[0].documents.items()} ==
            {path: doc.data for path, doc in second[0].documents.items()}
            and sorted(first[1]) == sorted(second[1]))


def test_only_changed_files_are_read_again_and_the_result_is_a_whole_read(tmp_path):
    root = copy_trust(tmp_path)
    memo: dict = {}
    assert same(read_model_again(root, memo), read_model(root))
    kept = dict(memo)
    path = root / VERSION
    path.write_text(path.read_text("utf-8").replace("technology rich", "technology-rich"),
                    "utf-8")
    again = read_model_again(root, memo)
    assert same(again, read_model(root))
    assert "technology-rich" in str(again[0].documents[VERSION].data)
    assert [p for p in memo if memo[p] is not kept[p]] == [VERSION]  # the others: as read


def test_a_file_saved_with_the_same_size_and_time_is_still_read_again(tmp_path):
    root = copy_trust(tmp_path)
    memo: dict = {}
    read_model_again(root, memo)
    path = root / VERSION
    before = path.stat()
    text = path.read_text("utf-8")
    new = path.with_name("new.tmp")  # an editor's save: a new file renamed over the old
    new.write_text(text.replace("technology rich", "technology rick"), "utf-8")
    os.utime(new, ns=(before.st_atime_ns, before.st_mtime_ns))
    new.replace(path)
    assert "technology rick" in str(read_model_again(root, memo)[0].documents[VERSION].data)


def test_removed_and_broken_files_are_as_a_whole_read_says(tmp_path):
    root = copy_trust(tmp_path)
    memo: dict = {}
    read_model_again(root, memo)
    (root / "quizzes/social-media-induction.yaml").unlink()
    (root / VERSION).write_text("sections: [\n", "utf-8")
    again = read_model_again(root, memo)
    assert same(again, read_model(root))
    assert again[1] and VERSION not in again[0].documents
    assert not any(p.startswith("quizzes/") for p in memo)
