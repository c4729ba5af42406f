"""policykit verify: every sentence of a source document against a version, both ways."""

from __future__ import annotations

from pathlib import Path

from importdocs import anti_bullying_docx
from policykit.cli.main import main
from policykit.importing.verify import compare, html_blocks, sentences

SEED = "tests/fixtures/seed/social-media-policy-newbury-school.txt"


def test_sentences_split_after_stops_and_colons_and_flatten_typography():
    assert sentences("One.  Two?\nThree: four\u00a0five! Six") == [
        "One.", "Two?", "Three:", "four five!", "Six"]
    assert sentences("soft\u00adhyphen") == ["softhyphen"]


def test_html_blocks_keep_blocks_apart_and_read_footnotes():
    html = ('<p>A<sup><a href="#footnote-1" id="footnote-ref-1">[1]</a></sup> b.</p>'
            "<ul><li>one<ul><li>two</li></ul></li></ul><table><tr><td>x</td><td>y</td></tr>"
            '</table><script>no()</script><ol><li id="footnote-1"><p>Note. '
            '<a href="#footnote-ref-1">↑</a></p></li></ol>')
    assert [" ".join(b.split()) for b in html_blocks(html)] == [
        "A[1] b.", "one", "two", "x", "y", "[1] Note."]


def test_compare_reports_both_ways_once_in_order_and_the_title_in_any_case():
    result = compare(["SOCIAL MEDIA POLICY", "Kept.", "Lost.", "Lost."],
                     ["Social Media Policy", "Kept.", "New."], "Social Media Policy")
    assert result.lost == ("Lost.",) and result.added == ("New.",)
    assert result.checked == 4 and not result.word_for_word


def _imported(scratch, source, policy_id="anti-bullying"):
    assert main(["--project", str(scratch), "import", str(source), "--id", policy_id,
                 "--version", "1", "--base-url", "https://www.newbury.example/"]) == 0
    return scratch / f"policy/{policy_id}/versions/1.yaml"


def test_verify_finds_a_sentence_lost_and_one_added_after_an_edit(scratch, tmp_path, capsys):
    source = anti_bullying_docx(tmp_path / "policy.docx")
    path = _imported(scratch, source)
    capsys.readouterr()
    assert main(["--project", str(scratch), "verify", "anti-bullying", "1", str(source)]) == 0
    assert "0 missing from the version, 0 not in the document" in capsys.readouterr().out
    text = path.read_text("utf-8")
    edited = text.replace("Record every incident on the same day",
                          "Record every incident within a week")
    assert edited != text
    path.write_text(edited, "utf-8")
    assert main(["--project", str(scratch), "verify", "anti-bullying", "1", str(source)]) == 1
    out = capsys.readouterr().out
    assert "- Record every incident on the same day\n" in out
    assert "+ Record every incident within a week\n" in out
    assert "1 missing from the version, 1 not in the document" in out


def test_verify_on_the_approved_newbury_policy_shows_its_curation(example_root, capsys):
    """The approved 2023.1 keeps the linked policies in policy.yaml and split one line of the
    seed in two: verify shows exactly that, nothing else."""
    assert main(["--project", str(example_root), "verify", "social-media", "2023.1", SEED]) == 1
    out = capsys.readouterr().out
    assert "- Safeguarding Policy\n" in out and "- Whistle Blowing Policy\n" in out
    assert "+ Post school logos or similar images that may lead readers of posts etc.\n" in out
    # the letterhead line "NEWBURY SCHOOL" names the organisation: not counted as missing
    assert "- NEWBURY SCHOOL" not in out
    assert "102 sentences checked, 6 missing from the version, 2 not in the document" in out


def test_import_fails_and_writes_nothing_when_a_sentence_would_be_lost(scratch, monkeypatch,
                                                                       capsys):
    from policykit.importing import draft as importer

    original = importer.structure

    def losing(blocks, *args):
        draft = original(blocks, *args)
        draft.sections[0].clauses.pop()  # a bug that drops a paragraph
        return draft

    monkeypatch.setattr(importer, "structure", losing)
    assert main(["--project", str(scratch), "import", SEED, "--id", "lossy",
                 "--version", "1"]) == 1
    err = capsys.readouterr().err
    assert "sentences of the document are not in the draft:" in err
    assert "  - The breadth of issues classified within online safety is considerable" in err
    assert "policykit: nothing written" in err
    assert not Path(scratch / "policy/lossy").exists()


def test_verify_usage_errors(scratch, capsys):
    assert main(["--project", str(scratch), "verify", "nope", "1", SEED]) == 2
    assert "no policy 'nope'" in capsys.readouterr().err
    assert main(["--project", str(scratch), "verify", "social-media", "9", SEED]) == 2
    assert "has no version '9' (it has: 2023.1, 2024.1)" in capsys.readouterr().err
    assert main(["--project", str(scratch), "verify", "social-media", "2023.1", "x.rtf"]) == 2
    assert "cannot import '.rtf'" in capsys.readouterr().err
