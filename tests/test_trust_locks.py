"""A school's adoption lock against what changed around it, through the real `policykit trust
check`, `trust build` and `trust pack`: a value changed since the adoption (a new DSL's phone
number) is shown at once under the adoption, with a warning, and the pack lists it to adopt; a
lock left behind by a renamed school file, and adoptions left under a renamed policy's old id,
are warnings that say what to do."""

from __future__ import annotations

import json
from pathlib import Path

from policykit.source.workflow import content_hash, lock_text
from test_trust_adoption import pdf_text
from trust_helpers import copy_trust, edit, page_text, policy_page, policykit

SOUTH = "schools/southbank.yaml"


def test_a_value_changed_since_the_adoption_is_shown_at_once_under_it(tmp_path):
    """The trial: a new DSL phone number refused the school (trust.changed-since-adoption),
    so staff read the old safeguarding contact until the governing body met."""
    root = copy_trust(tmp_path)
    edit(root / SOUTH, "  phone: 01632 960101\n", "  phone: 01632 960199\n")
    warning = ("schools/southbank.yaml:9:10: warning: social-media 2023.1 was adopted by "
               "Southbank Local Governing Body on 2023-11-20 with %{dsl.phone} '01632 960101'; "
               "it is now '01632 960199', and the school's site shows the new value under that "
               "adoption — the governing body adopts it with the policy's next adoption (its "
               "pack lists it); to record its adoption now: policykit trust adopt southbank "
               "social-media 2023.1 --date YYYY-MM-DD --by \"...\" --minute \"...\" "
               "[trust.value-changed-since-adoption]\n")
    checked = policykit(root, "trust", "check")
    assert checked.returncode == 0, checked.stderr
    assert warning in checked.stderr
    built = policykit(root, "trust", "build", "--school", "southbank")
    assert built.returncode == 0, built.stderr
    assert warning in built.stderr
    page = page_text(policy_page(root, "southbank"))
    assert "Priya Shah (01632 960199)" in page and "960101" not in page
    assert "Approved 20 November 2023, by Southbank Local Governing Body" in page
    # the governors' pack: the value changed, as a change to adopt, already on the site
    packed = policykit(root, "trust", "pack", "southbank", "social-media")
    assert packed.returncode == 0, packed.stderr
    text = pdf_text(root / "southbank-social-media-pack.pdf")
    assert "Only the school's values have changed (part 2)." in text
    assert "{dsl.phone} (value) changed 01632 960101 01632 960199" in text  # "%{" may split
    assert ("The school's site already shows the new values, under its adoption of "
            "2023-11-20") in text
    adopted = policykit(root, "trust", "adopt", "southbank", "social-media", "2023.1",
                        "--date", "2025-11-04", "--by", "Southbank LGB")
    assert adopted.returncode == 0, adopted.stderr
    again = policykit(root, "trust", "check")
    assert again.returncode == 0 and "schools/southbank" not in again.stderr, again.stderr


def test_a_value_changed_with_new_text_is_adopted_again_first(tmp_path):
    """Only values: any other edit since the adoption still stops the school, values and all."""
    root = copy_trust(tmp_path)
    edit(root / SOUTH, "  phone: 01632 960101\n", "  phone: 01632 960199\n")
    edit(root / SOUTH, 'adopts: "2023.1"\n', 'adopts: "2023.1"\n    added:\n'
         "      - section: inappropriate-contact\n        id: tell-the-office\n"
         "        kind: procedure\n        text: Staff may also tell the school office.\n"
         "    quiz_exempt:\n      tell-the-office: Shown on the first day.\n")
    checked = policykit(root, "trust", "check")
    assert checked.returncode == 1 and "Traceback" not in checked.stderr
    assert ("schools/southbank.yaml:9:10: social-media 2023.1 was adopted by Southbank Local "
            "Governing Body on 2023-11-20, and %{dsl.phone}, which its text uses, has changed "
            "since") in checked.stderr
    assert "[trust.value-changed-since-adoption]" not in checked.stderr


def test_a_lock_left_behind_by_a_renamed_school_file_is_named_with_what_to_do(tmp_path):
    """The trial: schools/northfield.yaml renamed alone; exit 0, the new site said "not yet
    approved", and schools/northfield.lock was left without a word."""
    root = copy_trust(tmp_path)
    (root / "schools/northfield.yaml").rename(root / "schools/northfield-primary.yaml")
    warning = ("schools/northfield.lock: warning: schools/northfield.lock has no school file "
               "schools/northfield.yaml beside it: the adoptions it records are used by no "
               "school's site — schools/northfield-primary.yaml (Northfield Primary School, the "
               "school these adoptions record) has no lock, so its site says not yet approved: "
               "if it is schools/northfield.yaml renamed, rename the lock with it: git mv "
               "schools/northfield.lock schools/northfield-primary.lock "
               "[trust.lock-without-school]\n")
    for command in (("check",), ("build", "--school", "northfield-primary")):
        result = policykit(root, "trust", *command)
        assert result.returncode == 0, result.stderr
        assert warning in result.stderr
    assert "Draft" in page_text(policy_page(root, "northfield-primary"))
    (root / "schools/northfield.lock").rename(root / "schools/northfield-primary.lock")
    built = policykit(root, "trust", "build", "--school", "northfield-primary")
    assert built.returncode == 0 and "[trust.lock" not in built.stderr, built.stderr
    assert "Approved 5 October 2023" in page_text(policy_page(root, "northfield-primary"))
    # a school that left the trust with its lock: what to do either way
    (root / "schools/southbank.yaml").unlink()
    left = policykit(root, "trust", "check")
    assert left.returncode == 0, left.stderr
    assert ("schools/southbank.lock: warning: schools/southbank.lock has no school file "
            "schools/southbank.yaml beside it: the adoptions it records are used by no school's "
            "site — if schools/southbank.yaml was renamed, rename the lock with it (git mv "
            "schools/southbank.lock schools/<school-id>.lock); if the school left the trust, "
            "remove the lock too (git keeps its history) [trust.lock-without-school]\n"
            ) in left.stderr


def rename_policy(root: Path, old: str, new: str) -> None:
    """Rename a model policy as the trial did: its folder, its id, and every school file,
    quiz and trust.yaml naming it — but not the schools' locks."""
    (root / f"policy/{old}").rename(root / f"policy/{new}")
    edit(root / f"policy/{new}/policy.yaml", f"id: {old}\n", f"id: {new}\n")
    edit(root / "quizzes/social-media-induction.yaml", f"policy: {old}\n", f"policy: {new}\n")
    for path in (root / "trust.yaml", *sorted((root / "schools").glob("*.yaml"))):
        edit(path, f"\n  {old}:\n", f"\n  {new}:\n")


def test_adoptions_left_under_a_renamed_policys_old_id_are_named(tmp_path):
    """The trial: policy/visitors renamed policy/visiting everywhere but the locks; exit 0,
    every school's page said "not yet approved", and trust check said nothing."""
    root = copy_trust(tmp_path)
    rename_policy(root, "social-media", "social-networking")
    warning = ("schools/southbank.lock:4:5: warning: the model has no policy 'social-media': the "
               "adoption of it recorded here is not used — social-networking, which the school "
               "adopts, has the model text adopted here, and its site says not yet approved: if "
               "social-media was renamed social-networking, rename the key \"social-media\" to "
               "\"social-networking\" in schools/southbank.lock (the policy id is not part of "
               "the sealed record: its hashes stay valid); if social-media was retired, keep its "
               "records as history [trust.lock-unknown-policy]\n")
    checked = policykit(root, "trust", "check")
    assert checked.returncode == 0, checked.stderr
    assert warning in checked.stderr
    assert checked.stderr.count("[trust.lock-unknown-policy]") == 3  # each school's lock
    built = policykit(root, "trust", "build", "--school", "southbank")
    assert built.returncode == 0 and warning in built.stderr, built.stderr
    page = policy_page(root, "southbank").parent.parent.parent / "social-networking/2023.1"
    assert "Draft" in page_text(page / "index.html")
    # renamed in the lock too: its seal holds, and the school's adoption is its again
    lock = root / "schools/southbank.lock"
    edit(lock, '"social-media": [', '"social-networking": [')
    built = policykit(root, "trust", "build", "--school", "southbank")
    assert built.returncode == 0 and "schools/southbank.lock" not in built.stderr, built.stderr
    assert "Approved 20 November 2023" in page_text(page / "index.html")
    # a retired policy's records, beside adoptions of every policy the school has: history
    records = json.loads(lock.read_text("utf-8"))
    records["policies"]["visitors"] = records["policies"]["social-networking"]
    lock.write_text(json.dumps(records, indent=2), "utf-8")
    checked = policykit(root, "trust", "check")
    assert checked.returncode == 0 and "schools/southbank.lock" not in checked.stderr, \
        checked.stderr
    # renamed with new text: not the text adopted, so adopted anew
    version = root / "policy/social-networking/versions/2023.1.yaml"
    edit(version, "website or forum.", "website, forum or game.")
    (root / "policy/social-networking/approved.lock").write_text(
        lock_text({"2023.1": content_hash(version.read_bytes())}), "utf-8")
    checked = policykit(root, "trust", "check")
    assert ("schools/eastgate.lock:4:5: warning: the model has no policy 'social-media': the "
            "adoption of it recorded here is not used — if it was renamed (to social-networking, "
            "which the school adopts with no adoption recorded), the text adopted here is not "
            "the model's now: the governing body adopts it anew (policykit trust pack, then "
            "trust adopt); if it was retired, keep its records as history: this warning ends "
            "once social-networking is adopted [trust.lock-unknown-policy]\n") in checked.stderr
