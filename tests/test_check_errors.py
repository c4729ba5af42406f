"""`policykit check` on bad input: the exact message, file, line and column; never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from policykit.cli.main import main

ORGANISATION = """\
name: Test School
roles:
  - id: head
    title: Headteacher
"""
LINKED = """\
policies:
  - id: safeguarding
    title: Safeguarding Policy
"""
POLICY = """\
id: demo
title: Demo Policy
owner: Headteacher
linked_policies: [safeguarding]
"""
VERSION = """\
version: "1"
status: draft
sections:
  - id: intro
    title: Intro
    clauses:
      - id: purpose
        kind: information
        text: Why.
      - id: rules
        kind: duty
        text: Do this.
        refs: [safeguarding, "#purpose"]
"""
QUIZ = """\
id: demo-quiz
title: Demo quiz
policy: demo
pass_mark: 80
questions:
  - id: why
    covers: [purpose, rules]
    type: true-false
    prompt: The policy has a purpose.
    options:
      - text: "True"
        correct: true
        feedback: Yes.
      - text: "False"
        correct: false
        feedback: No.
    explanation: It says why.
"""
V = "policy/demo/versions/1.yaml"
Q = "quizzes/demo-quiz.yaml"
P = "policy/demo/policy.yaml"


def make_project(root: Path, files: dict[str, str | bytes] = {}) -> Path:
    """A small valid project under root, with some files replaced."""
    contents = {"policy/organisation.yaml": ORGANISATION, "policy/linked.yaml": LINKED,
                P: POLICY, V: VERSION, Q: QUIZ, **files}
    for relative, text in contents.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, "utf-8")
    return root


def run_check(root: Path, capsys) -> tuple[int, list[str], str]:
    code = main(["--project", str(root), "check"])
    out, err = capsys.readouterr()
    return code, err.splitlines(), out


def test_the_valid_fixture_passes(tmp_path, capsys):
    code, err, out = run_check(make_project(tmp_path), capsys)
    assert (code, err) == (0, [])
    assert out == "checked 1 policy, 1 version, 2 clauses: no errors\n"


def test_the_bundled_example_passes(example_root, capsys):
    code, err, out = run_check(example_root, capsys)
    assert code == 0, err
    assert "no errors" in out


CASES = {
    "duplicate key": (
        {V: VERSION.replace("status: draft\n", "status: draft\nstatus: approved\n")},
        [f"{V}:3:1: duplicate key 'status' (first at line 2) — remove one of them [yaml.duplicate-key]"]),
    "unknown key with a suggestion": (
        {V: VERSION.replace("    title: Intro", "    titel: Intro")},
        [f"{V}:4:5: section 'intro': missing key 'title' — add it [schema.missing-key]",
         f"{V}:5:5: section 'intro': unknown key 'titel' — did you mean 'title'? [schema.unknown-key]"]),
    "unknown key without a close match": (
        {P: POLICY + "colour: blue\n"},
        [f"{P}:5:1: unknown key 'colour' — allowed keys: id, title, owner, audience, "
         "linked_policies, statutory, training, training_reason [schema.unknown-key]"]),
    "wrong type": (
        {V: VERSION.replace('refs: [safeguarding, "#purpose"]', "refs: safeguarding")},
        [f"{V}:13:15: clause 'rules': 'refs' must be a list, found the text 'safeguarding' — "
         "write it as a list, e.g. [a, b] or one '- item' per line [schema.wrong-type]"]),
    "bad id": (
        {V: VERSION.replace("id: rules", "id: Rules_2")},
        [f"{V}:10:13: clause 'Rules_2': 'id' 'Rules_2' is not valid — use lowercase kebab-case: "
         "letters a-z, digits and single hyphens [schema.invalid]"]),
    "duplicate clause id": (
        {V: VERSION + "      - id: purpose\n        kind: duty\n        text: Again.\n"},
        [f"{V}:14:9: id 'purpose' is used twice in this version (first at line 7) — "
         "give each section and clause its own id [id.duplicate]"]),
    "unknown kind": (
        {V: VERSION.replace("kind: duty", "kind: dutty")},
        [f"{V}:11:15: clause 'rules': 'kind' \"dutty\" is not one of must, must not, should, "
         "context, definition, procedure (the site's words) or duty, prohibition, guidance, "
         "information — did you mean 'duty'? [schema.not-one-of]"]),
    "ref to an unknown policy": (
        {V: VERSION.replace("refs: [safeguarding,", "refs: [safegaurding,")},
        [f"{V}:13:16: ref 'safegaurding' names an unknown policy 'safegaurding' — "
         "did you mean 'safeguarding'? [ref.unknown-policy]"]),
    "ref to an unknown clause": (
        {V: VERSION.replace('"#purpose"', '"#porpose"')},
        [f"{V}:13:30: ref '#porpose': no section or clause 'porpose' in this version — "
         "did you mean 'purpose'? [ref.unknown-target]"]),
    "ref into a policy not kept here": (
        {V: VERSION.replace('"#purpose"', '"safeguarding#reporting"')},
        [f"{V}:13:30: ref 'safeguarding#reporting' points into 'safeguarding', which is not "
         "kept in policy/ — link to the whole policy: write 'safeguarding' [ref.policy-not-kept]"]),
    "linked policy that resolves nowhere": (
        {P: POLICY.replace("[safeguarding]", "[safeguarding, anti-bullying]")},
        [f"{P}:4:33: linked policy 'anti-bullying' is neither a folder in policy/ nor an entry of "
         "policy/linked.yaml — register it in policy/linked.yaml [linked.unknown]"]),
    "version differs from its file name": (
        {V: VERSION.replace('version: "1"', 'version: "2"')},
        [f"{V}:1:10: version '2' differs from the file name '1.yaml' — rename the file to "
         "2.yaml or correct the version [project.version-name]"]),
    "unquoted 2023.10 stays 2023.10, never the number 2023.1": (
        {V: VERSION.replace('version: "1"', "version: 2023.10")},
        [f"{V}:1:10: version '2023.10' differs from the file name '1.yaml' — rename the file to "
         "2023.10.yaml or correct the version [project.version-name]"]),
    "unquoted whole-number version": (
        {V: VERSION.replace('version: "1"', "version: 1")},
        [f"{V}:1:10: 'version' must be text, found the number 1 — quote it: \"1\" [schema.wrong-type]"]),
    "yes is never a boolean": (
        {V: VERSION.replace("status: draft", "status: yes")},
        [f"{V}:2:9: 'status' \"yes\" is not one of 'draft' or 'approved' — use one of them [schema.not-one-of]"]),
    "NO as a quiz exemption is not a reason": (
        {V: VERSION.replace("text: Why.", "text: Why.\n        quiz_exempt: NO")},
        [f"{V}:10:22: clause 'purpose': 'quiz_exempt' is too short — give the reason the clause "
         "needs no quiz question, in words [schema.too-short]"]),
    "empty section": (
        {V: VERSION.split("      - id: purpose")[0].replace("clauses:", "clauses: []")},
        [f"{V}:6:14: section 'intro': 'clauses' is empty — add a clause or remove the section [schema.empty]"]),
    "impossible date": (
        {V: VERSION.replace("status: draft", "status: draft\nreview_due: 2024-02-30")},
        [f"{V}:3:13: 'review_due' '2024-02-30' is not a real date — write a real date as "
         "YYYY-MM-DD, or leave the field out [schema.not-a-date]"]),
    "tab indentation": (
        {V: VERSION.replace("    title: Intro", "\ttitle: Intro")},
        [f"{V}:5:1: tab character in indentation — indent with spaces [yaml.tab-indent]"]),
    "not UTF-8": (
        {V: VERSION.replace("Why.", "Caf\u00e9.").encode("latin-1")},
        [f"{V}:9:18: the file is not UTF-8 (byte 0xe9) — save it with UTF-8 encoding [file.not-utf8]"]),
    "aliases expanding past the bound": (
        {V: "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
            + "".join(f"{c}: &{c} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]\n"
                      for p, c in zip("abcdef", "bcdefg"))},
        [f"{V}:1:1: the file expands to more than 100,000 values — remove the anchors and "
         "aliases (& and *) that repeat content [yaml.too-many-values]"]),
    "a file too big to be a policy": (
        {V: VERSION + "# " + "x" * (2 * 1024 * 1024) + "\n"},
        [f"{V}:1:1: the file is 2,097,402 bytes; the limit is 2,097,152 — split it into "
         "smaller files [file.too-large]"]),
    "YAML syntax error": (
        {V: VERSION.replace('refs: [safeguarding, "#purpose"]', "refs: [safeguarding")},
        [f"{V}:13:15: the '[' that starts this list is never closed (YAML read to the end of "
         "the file looking for its ']') — end the list with ']' where it ends "
         "[yaml.unclosed-bracket]"]),
    "empty file": (
        {V: "# nothing yet\n"},
        [f"{V}:1:1: the file is empty — write the fields the format needs [file.empty]"]),
    "policy id differs from its folder": (
        {P: POLICY.replace("id: demo", "id: demo-policy")},
        [f"{P}:1:5: id 'demo-policy' differs from its folder name 'demo' — make the id and the "
         "folder name the same [project.policy-id]"]),
    "owner is a role, not a person": (
        {P: POLICY.replace("owner: Headteacher", "owner: Head teacher")},
        [f"{P}:3:8: owner 'Head teacher' is not a role in policy/organisation.yaml — "
         "did you mean 'Headteacher'? [organisation.unknown-owner]"]),
    "a draft claims approval": (
        {V: VERSION.replace("status: draft", "status: draft\napproved_on: 2024-01-10")},
        [f"{V}:3:14: a draft has approval details — remove approved_on and approved_by, or set "
         "status: approved [approval.on-draft]"]),
}


@pytest.mark.parametrize("files,expected", CASES.values(), ids=CASES.keys())
def test_bad_input_is_reported_exactly(tmp_path, capsys, files, expected):
    code, err, _ = run_check(make_project(tmp_path, files), capsys)
    assert code == 1
    assert err[:-1] == expected
    assert err[-1].endswith("in 1 file")


def test_every_problem_is_reported_at_once(tmp_path, capsys):
    bad_version = VERSION.replace("kind: duty", "kind: dutty").replace("title: Intro", "titel: x")
    bad_policy = POLICY.replace("[safeguarding]", "[nowhere]")
    code, err, _ = run_check(make_project(tmp_path, {V: bad_version, P: bad_policy}), capsys)
    assert code == 1
    assert len(err) == 5 and err[-1] == "4 errors in 2 files"
    assert [line.split(":")[0] for line in err[:-1]] == [P, V, V, V]


def test_usage_errors_exit_2(tmp_path, capsys):
    assert main(["--project", str(tmp_path), "check"]) == 2
    assert "no policy/ folder" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exit_:
        main(["no-such-command"])
    assert exit_.value.code == 2
