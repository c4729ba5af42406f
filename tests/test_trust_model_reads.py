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


def test_a_build_parses_again_only_files_whose_bytes_changed_and_places_are_the_same(
        tmp_path, monkeypatch):
    """Builds keep the trust's parsed files in the disk cache without their node trees
    (source/parsed.py): what they give, and every place a problem is shown at, is what parsing
    the files gives, and a file is parsed again when its bytes change."""
    import pickle

    from policykit.source import parsed as parsed_module
    from policykit.source.parsed import Parsed
    from policykit.trust.schools import load_trust

    root = copy_trust(tmp_path)
    first = Parsed()
    whole = read_model(root, parsed=first)
    trust = load_trust(root, parsed=first)
    kept = pickle.loads(pickle.dumps(first.used))  # as the next build reads it back
    assert kept and all(document is None or document.node is None
                        for document, _ in kept.values())
    parses: list[str] = []
    original = parsed_module.document_from_bytes
    monkeypatch.setattr(parsed_module, "document_from_bytes",
                        lambda raw, shown: parses.append(shown) or original(raw, shown))
    path = root / VERSION
    path.write_text(path.read_text("utf-8").replace("technology rich", "technology-rich"),
                    "utf-8")
    again = Parsed(kept)
    model = read_model(root, parsed=again)
    schools = load_trust(root, parsed=again)
    assert parses == [VERSION]
    assert same(model, read_model(root))
    assert "technology-rich" in str(model[0].documents[VERSION].data)
    assert [s.data for s in schools[1]] == [s.data for s in trust[1]]
    for path, document in model[0].documents.items():
        fresh = whole[0].documents[path] if path != VERSION else read_model(root)[0].documents[path]
        assert document.node is None or path == VERSION
        for at in [(), ("title",), ("sections", 0, "clauses", 0, "text"), ("id",)]:
            assert document.at(at) == fresh.at(at), (path, at)
            assert document.key_at(at) == fresh.key_at(at), (path, at)
    school = schools[1][0]
    assert school.key_at("policies") == trust[1][0].key_at("policies")
    assert set(again.used) != set(kept)  # the edited version's new bytes: saved again
