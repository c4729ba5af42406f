"""The school's governors' pack (`policykit trust pack`), through the real command: at a first
adoption it holds the whole text the school adopts; a value's name (%{dsl.name}) is one word,
in the trust's comparison and on the printed page."""

from __future__ import annotations

import re

from test_trust_adoption import pdf_text
from trust_helpers import copy_trust, edit, policykit

WESTBROOK = """\
name: Westbrook School
urn: "900004"
headteacher:
  name: Robert Hughes
dsl:
  name: Priya Shah
  phone: 01632 960101
deputies:
  - name: Tom Evans
    phone: 01632 960102
policies:
  social-media:
    adopts: "2023.1"
    tailored:
      purpose: At %{school.name} social media helps us share our pupils' work with families.
    added:
      - section: effective-practices
        id: class-blogs
        kind: duty
        text: Class blogs are posted only by the class teacher; ask %{dsl.name} first.
"""


def test_a_first_adoptions_pack_holds_the_text_the_school_adopts(tmp_path):
    """The trial: at a first adoption the pack had none of the policy's text ('None to
    compare'), and a line 'Against the school's last adoption' when there was none."""
    root = copy_trust(tmp_path)
    (root / "schools/westbrook.yaml").write_text(WESTBROOK, "utf-8")  # no lock: never adopted
    result = policykit(root, "trust", "pack", "westbrook", "social-media")
    assert result.returncode == 0, result.stderr
    text = pdf_text(root / "westbrook-social-media-pack.pdf")
    assert "None to compare" not in text and "last adoption" not in text
    full = text.split("Part 1. The full text to adopt", 1)[1].split("Part 2.", 1)[0]
    assert "This is the school's first adoption of the policy" in full
    # the school's text, values filled in, its own clauses marked where they stand
    assert ("1.1 CONTEXT [tailored by the school] At Westbrook School social media helps us "
            "share our pupils' work with families.") in full
    assert "6.5 MUST [added by the school] Class blogs are posted only by the class teacher; " \
           "ask Priya Shah first." in full
    assert "At Westbrook School the DSL is Priya Shah (01632 960101) and the Head teacher is " \
           "Robert Hughes." in full
    assert "In this technology rich world" not in full  # the model's words it replaces
    assert "%{" not in full
    assert len(re.findall(r"\d+\.\d+(?:\.\d+)? (?:MUST|SHOULD|CONTEXT|DEFINITION|PROCEDURE)",
                          full)) > 50  # every clause
    local = text.split("Part 2. Westbrook School's local changes", 1)[1]
    assert "Against the model" in local
    assert "%{headteacher.name} Robert Hughes" in local  # a value's name is never cut in two
    adopted = policykit(root, "trust", "adopt", "westbrook", "social-media", "2023.1", "--date",
                        "2025-01-10", "--by", "Westbrook LGB")
    assert adopted.returncode == 0, adopted.stderr
    assert re.search(r"content hash (sha256:[0-9a-f]{64})", text).group(1) in adopted.stdout
    again = policykit(root, "trust", "pack", "westbrook", "social-media")
    assert again.returncode == 0, again.stderr
    later = pdf_text(root / "westbrook-social-media-pack.pdf")
    assert "Part 1. The trust's changes to the model" in later
    assert "Part 1. The full text to adopt" not in later
    assert "Against the school's last adoption" in later


def test_the_trusts_comparison_keeps_a_value_name_whole(tmp_path):
    """The trial: part 1's word diff split a value's name into pieces ('[inserted: %{]…')."""
    root = copy_trust(tmp_path)
    assert policykit(root, "new-version", "social-media", "2024.1").returncode == 0
    edit(root / "policy/social-media/versions/2024.1.yaml",
         "An effective approach to online safety empowers",
         "An effective approach to %{online-safety-lead} empowers")
    approved = policykit(root, "approve", "social-media", "2024.1", "--by", "Trust Board",
                         "--on", "2025-09-01")
    assert approved.returncode == 0, approved.stderr
    edit(root / "schools/northfield.yaml", 'adopts: "2023.1"', 'adopts: "2024.1"')
    result = policykit(root, "trust", "pack", "northfield", "social-media")
    assert result.returncode == 0, result.stderr
    text = pdf_text(root / "northfield-social-media-pack.pdf")
    model = text.split("Part 1. The trust's changes to the model", 1)[1].split("Part 2.", 1)[0]
    assert ("An effective approach to [deleted: online safety] [inserted: "
            "%{online-safety-lead}] empowers") in model
