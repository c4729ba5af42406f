"""compare_versions: every kind of change, aligned by clause id."""

from __future__ import annotations

from policykit.source import schema
from policykit.compare.compare import compare_versions, redline
from policykit.source.load import parse_document
from policykit.source.building import build_version

OLD = """\
version: "1"
status: approved
review_due: 2024-09-01
sources: ["KCSIE (2023)"]
sections:
  - id: intro
    title: Introduction
    clauses:
      - id: purpose
        kind: information
        text: Why we have this policy.
      - id: scope
        kind: information
        text: Who it applies to.
  - id: rules
    title: Rules
    clauses:
      - id: decline
        kind: prohibition
        text: Decline friend requests from pupils.
      - id: report
        kind: procedure
        text: Report contact to the DSL.
        refs: ["#decline"]
      - id: privacy
        kind: guidance
        text: Check your privacy settings.
        clauses:
          - id: often
            kind: guidance
            text: Check them often.
          - id: who
            kind: guidance
            text: Limit who sees posts.
"""


def version(text: str, name: str = "1"):
    document, problems = parse_document(text, "v.yaml")
    assert not problems and not schema.validate(document, "version")
    return build_version(document, "demo")


def compare(new_text: str, questions={}):
    return compare_versions(version(OLD), version(new_text.replace('"1"', '"2"')), questions)


def pairs(runs) -> tuple[tuple[str, str], ...]:
    """A redline's runs as (op, text), styles left out."""
    return tuple((run.op, run.text) for run in runs)


def kinds(comparison) -> dict[str, tuple[str, ...]]:
    return {c.clause: c.kinds for c in comparison.changes}


def test_identical_versions_give_an_empty_comparison():
    comparison = compare(OLD)
    assert comparison.changes == () and comparison.is_empty
    assert comparison.summary()["unchanged"] == 7


def test_rewrapping_and_whitespace_are_not_changes():
    rewrapped = OLD.replace("text: Decline friend requests from pupils.",
                            "text: >-\n          Decline friend\n          requests  from pupils.")
    assert compare(rewrapped).is_empty


def test_punctuation_is_a_change():
    comparison = compare(OLD.replace("from pupils.", "from pupils;"))
    assert kinds(comparison) == {"decline": ("reworded",)}
    assert pairs(comparison.changes[0].redline) == (("equal", "Decline friend requests from pupils"),
                                             ("delete", "."), ("insert", ";"))


def test_added_and_removed_clauses():
    new = OLD.replace("      - id: scope\n        kind: information\n        text: Who it applies to.\n",
                      "").replace("          - id: who", "          - id: report-fast\n"
                                  "            kind: duty\n            text: Report within a day.\n"
                                  "          - id: who")
    comparison = compare(new)
    assert kinds(comparison) == {"report-fast": ("added",), "who": ("renumbered",),
                                 "scope": ("removed",)}
    removed = next(c for c in comparison.changes if c.clause == "scope")
    assert (removed.old_number, removed.new_number) == ("1.2", None)
    assert comparison.summary()["added"] == 1 and comparison.summary()["removed"] == 1


def test_a_clause_moved_to_another_section_keeps_its_identity():
    new = OLD.replace("      - id: scope\n        kind: information\n        text: Who it applies to.\n",
                      "").replace("  - id: rules\n    title: Rules\n    clauses:\n",
                                  "  - id: rules\n    title: Rules\n    clauses:\n"
                                  "      - id: scope\n        kind: information\n"
                                  "        text: Who it applies to.\n")
    comparison = compare(new)
    change = next(c for c in comparison.changes if c.clause == "scope")
    assert change.kinds == ("moved",)
    assert (change.old_number, change.new_number) == ("1.2", "2.1")
    assert kinds(comparison)["decline"] == ("renumbered",)  # shifted down, not moved


def test_moved_and_reworded_at_once_counts_in_both():
    new = OLD.replace("      - id: scope\n        kind: information\n        text: Who it applies to.\n",
                      "").replace("          - id: who", "          - id: scope\n"
                                  "            kind: information\n"
                                  "            text: Whom it applies to.\n          - id: who")
    comparison = compare(new)
    assert kinds(comparison)["scope"] == ("reworded", "moved")
    summary = comparison.summary()
    assert summary["reworded"] == 1 and summary["moved"] == 1


def test_swapping_two_clauses_moves_one_not_both():
    decline = "      - id: decline\n        kind: prohibition\n        text: Decline friend requests from pupils.\n"
    new = OLD.replace(decline, "").replace("      - id: privacy", decline + "      - id: privacy")
    assert sorted(kinds(compare(new)).values()) == [("moved",), ("renumbered",)]


def test_kind_and_refs_changes():
    new = OLD.replace("kind: procedure", "kind: duty").replace('refs: ["#decline"]',
                                                               'refs: ["#privacy"]')
    assert kinds(compare(new)) == {"report": ("kind-changed", "refs-changed")}


def test_sections_added_removed_and_renamed():
    new = OLD.replace("title: Rules", "title: The rules") + (
        "  - id: extra\n    title: Extra\n    clauses:\n"
        "      - id: more\n        kind: guidance\n        text: More.\n")
    comparison = compare(new)
    assert [(s.section, s.kind) for s in comparison.sections] == [("rules", "renamed"),
                                                                  ("extra", "added")]


def test_metadata_changes():
    new = OLD.replace("KCSIE (2023)", "KCSIE (2024)").replace("review_due: 2024-09-01",
                                                               "review_due: 2025-09-01")
    comparison = compare(new)
    assert [m.field for m in comparison.metadata] == ["sources", "review_due"]
    assert comparison.metadata[0].new == ("KCSIE (2024)",)


def test_change_notes_and_covering_questions_follow_substantive_changes():
    new = OLD.replace("text: Report contact to the DSL.",
                      "text: Report contact to the DSL at once.\n        change_note: Be prompt.")
    new = new.replace("      - id: purpose\n        kind: information\n        text: Why we have this policy.\n", "")
    comparison = compare(new, {"report": ("q1",), "scope": ("q2",)})
    report = next(c for c in comparison.changes if c.clause == "report")
    assert report.change_note == "Be prompt." and report.questions == ("q1",)
    scope = next(c for c in comparison.changes if c.clause == "scope")
    assert scope.kinds == ("renumbered",) and scope.questions == ()


def test_redline_groups_a_stretch_of_edits():
    assert pairs(redline("a b c", "x y c")) == (("delete", "a b"), ("insert", "x y"), ("equal", " c"))
