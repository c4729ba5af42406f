"""Starting a trust (`policykit trust init`), and what `policykit init`'s single-site files say
in a trust project, through the real `policykit` command. A trial: there was no way to start a
trust project; the user ran `policykit init` and edited by hand, and its CI files ran
`policykit build`, which a trust project refuses."""

from __future__ import annotations

import json
import re
from pathlib import Path

import yaml

from test_trust_ci import schema_errors, shell
from trust_helpers import page_text, policykit


def _files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_trust_init_writes_a_trust_that_checks_and_builds(tmp_path):
    root = tmp_path / "kennet"
    started = policykit(tmp_path, "trust", "init", str(root), "--name",
                        "Kennet Vale <Learning> Trust", "--school", "northfield")
    assert started.returncode == 0, started.stderr
    assert started.stdout.startswith("started the trust project of Kennet Vale <Learning> "
                                     "Trust in ")
    files = _files(root)
    for needed in ("trust.yaml", "schools/northfield.yaml", "mkdocs.yml",
                   "policy/visitors/versions/1.0.yaml", "policy/visitors/approved.lock",
                   ".github/workflows/sites.yml", ".gitlab-ci.yml", ".pre-commit-config.yaml"):
        assert needed in files, needed
    for single_site in (".github/workflows/pages.yml", "Dockerfile"):
        assert single_site not in files
    assert not [path for path, data in files.items() if re.search(rb"policykit\s+build\b", data)]
    assert b"/.trust/" in files[".gitignore"]
    check = policykit(root, "trust", "check")
    assert (check.returncode, check.stdout) == (0, "checked: northfield and the trust site\n"), check.stderr
    built = policykit(root, "trust", "build", "--strict")
    assert built.returncode == 0, built.stderr
    assert built.stdout == "built: northfield, the trust site and the departure report\n"
    page = page_text(root / "site/northfield/policies/visitors/1.0/index.html")
    assert ("Everyone who comes on site at Example Primary School is known, identified and, "
            "where needed, supervised, so that pupils are kept safe. Tell Sam Patel, the "
            "designated safeguarding lead, of any concern about a visitor.") in page
    model = page_text(root / "site/trust/policies/visitors/1.0/index.html")
    assert "at %{school.name} is known" in model and "Kennet Vale <Learning> Trust" in model
    trust = yaml.safe_load(files["trust.yaml"])
    assert trust["name"] == "Kennet Vale <Learning> Trust"
    hook = yaml.safe_load(files[".pre-commit-config.yaml"])["repos"][0]["hooks"][0]
    assert hook["entry"] == "policykit trust check"
    assert all(re.match(hook["files"], path) for path in
               ("schools/northfield.yaml", "trust.yaml", "policy/visitors/policy.yaml"))
    workflow = yaml.safe_load(files[".github/workflows/sites.yml"])
    workflow["on"] = workflow.pop(True)
    assert schema_errors(workflow, "github-workflow.json") == []
    gitlab = yaml.safe_load(files[".gitlab-ci.yml"])
    assert schema_errors(gitlab, "gitlab-ci.json") == []
    assert shell(root, gitlab["matrix"]["script"][0]).returncode == 0  # its matrix is current
    settings = json.loads(files[".vscode/settings.json"])["yaml.schemas"]
    assert settings["./.policykit/schemas/school.schema.json"] == ["schools/*.yaml"]


def test_trust_init_overwrites_nothing(tmp_path):
    root = tmp_path / "ours"
    assert policykit(tmp_path, "init", str(root)).returncode == 0
    before = _files(root)
    again = policykit(tmp_path, "trust", "init", str(root))
    assert again.returncode == 2 and "Traceback" not in again.stderr
    assert "already has mkdocs.yml, policy" in again.stderr
    assert "overwrites nothing" in again.stderr and "trust guide" in again.stderr
    assert _files(root) == before
    bad = policykit(tmp_path, "trust", "init", str(tmp_path / "x"), "--school", "St Marys")
    assert bad.returncode == 2 and "'St Marys' cannot be a school id" in bad.stderr
    assert not (tmp_path / "x").exists()


def test_a_trust_made_from_policykit_init_is_told_what_to_do_with_its_single_site_files(
        tmp_path):
    """The trial's project: `policykit init`, then trust.yaml and schools/ added by hand."""
    root = tmp_path / "handmade"
    assert policykit(tmp_path, "init", str(root), "--name", "Kennet Vale").returncode == 0
    made = tmp_path / "made"
    assert policykit(tmp_path, "trust", "init", str(made)).returncode == 0
    for relative in ("trust.yaml", "schools/example-school.yaml"):
        (root / relative).parent.mkdir(exist_ok=True)
        (root / relative).write_bytes((made / relative).read_bytes())
    build = policykit(root, "build")  # what init's pages.yml, .gitlab-ci.yml, Dockerfile run
    assert build.returncode == 2 and not (root / "site").exists()
    assert build.stderr == (
        "policykit: error: this is a trust project: build each school's site with policykit "
        "trust build [--school ID], not the model's one site; for CI files that run policykit "
        "build, see policykit trust ci\n")
    ci = policykit(root, "trust", "ci")
    assert ci.returncode == 0
    assert ci.stdout == ("wrote .github/workflows/sites.yml\n"
                         "left .gitlab-ci.yml as it was (it exists: --force replaces it)\n")
    assert ci.stderr == (
        "policykit: warning: .github/workflows/pages.yml runs policykit build, which a trust "
        "project refuses, and would deploy GitHub Pages beside .github/workflows/sites.yml: "
        "delete it (git rm .github/workflows/pages.yml); .github/workflows/sites.yml "
        "publishes every school's site\n"
        "policykit: warning: .gitlab-ci.yml runs policykit build, which a trust project "
        "refuses: policykit trust ci --force replaces it with the trust's\n"
        "policykit: warning: Dockerfile runs policykit build, which a trust project refuses: "
        "change it to policykit trust build --strict, or delete it\n"
        "policykit: warning: .pre-commit-config.yaml checks nothing when only schools/ or "
        "trust.yaml change: add them to its files: pattern, e.g. "
        "^(policy/|quizzes/|schools/|trust\\.yaml$)\n")
    forced = policykit(root, "trust", "ci", "--force")
    assert ".gitlab-ci.yml" not in forced.stderr and "pages.yml" in forced.stderr
