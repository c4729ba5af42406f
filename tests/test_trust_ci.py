"""`policykit trust ci` (issue 27, beyond one machine): CI files that build each school's site as
a parallel job and publish each at its own address. The files are checked against SchemaStore's
schemas (tests/data/schemastore), their matrices against the test trust's schools, and their
build commands are run as the CI would run them, one site at a time."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import jsonschema
import pytest
import yaml

from trust_helpers import EPOCH, POLICYKIT, copy_trust, policykit

pytestmark = pytest.mark.slow  # builds each site of the test trust alone

SCHEMAS = Path(__file__).parent / "data/schemastore"
SITES = ["eastgate", "northfield", "southbank", "trust"]


def schema_errors(document: dict, name: str) -> list[str]:
    schema = json.loads((SCHEMAS / name).read_text("utf-8"))
    validator = jsonschema.Draft7Validator(schema)
    return [f"{list(error.absolute_path)}: {error.message}"
            for error in validator.iter_errors(document)]


def workflow(root: Path) -> dict:
    data = yaml.safe_load((root / ".github/workflows/sites.yml").read_text("utf-8"))
    data["on"] = data.pop(True)  # YAML 1.1 reads the key `on` as true; GitHub reads "on"
    return data


def shell(root: Path, command: str, **env: str) -> subprocess.CompletedProcess:
    """command as a CI runner runs it: bash, in the project, with policykit on the PATH."""
    path = f"{Path(POLICYKIT).parent}:{os.environ['PATH']}"
    return subprocess.run(["bash", "-e", "-c", command], cwd=root, capture_output=True,
                          text=True, env={**os.environ, "PATH": path, "SOURCE_DATE_EPOCH": EPOCH,
                                          **env})


@pytest.fixture
def trust(tmp_path) -> Path:
    root = copy_trust(tmp_path)
    result = policykit(root, "trust", "ci")
    assert result.returncode == 0, result.stderr
    assert result.stdout == "wrote .github/workflows/sites.yml\nwrote .gitlab-ci.yml\n"
    return root


def test_the_github_workflow_is_valid_and_its_matrix_is_every_site(trust):
    data = workflow(trust)
    assert schema_errors(data, "github-workflow.json") == []
    jobs = data["jobs"]
    listed = shell(trust, jobs["sites"]["steps"][-1]["run"], GITHUB_OUTPUT=str(trust / "out"))
    assert listed.returncode == 0, listed.stderr
    name, _, value = (trust / "out").read_text("utf-8").strip().partition("=")
    assert name == "sites" and json.loads(value) == SITES  # every school, and the trust
    assert jobs["build"]["strategy"]["matrix"]["site"] == \
        "${{ fromJSON(needs.sites.outputs.sites) }}"
    assert jobs["build"]["strategy"]["fail-fast"] is False  # one school never stops another
    assert jobs["publish"]["needs"] == "build"  # published only when every site was built


def test_each_matrix_job_builds_its_own_site_alone(trust, tmp_path):
    """The build job's steps, run for each site in a fresh checkout: it makes the site its
    upload step publishes, and no other school's."""
    steps = workflow(trust)["jobs"]["build"]["steps"]
    command = next(s["run"] for s in steps if "run" in s and "trust build" in s["run"])
    upload = next(s for s in steps if s.get("uses", "").startswith("actions/upload-artifact"))
    for site in SITES:
        checkout = tmp_path / f"checkout-{site}"
        shutil.copytree(trust, checkout)
        result = shell(checkout, command.replace("${{ matrix.site }}", site))
        assert result.returncode == 0, result.stderr
        paths = upload["with"]["path"].replace("${{ matrix.site }}", site).split()
        assert (checkout / paths[0] / "index.html").is_file()
        built = sorted(p.name for p in (checkout / "site").iterdir() if p.is_dir())
        assert built == sorted({site, *(["departures"] if site == "trust" else [])})


def test_the_gitlab_file_is_valid_and_its_matrix_is_every_site(trust):
    data = yaml.safe_load((trust / ".gitlab-ci.yml").read_text("utf-8"))
    assert schema_errors(data, "gitlab-ci.json") == []
    assert data["sites"]["parallel"]["matrix"] == [{"SITE": SITES}]
    assert data["sites"]["artifacts"]["paths"][0] == "site/$SITE"
    check = data["matrix"]["script"][0]
    assert shell(trust, check).returncode == 0  # the list is current
    shutil.copy(trust / "schools/southbank.yaml", trust / "schools/westfield.yaml")
    assert shell(trust, check).returncode != 0  # a school added: the job says so
    result = policykit(trust, "trust", "ci", "--force")
    assert result.returncode == 0, result.stderr
    data = yaml.safe_load((trust / ".gitlab-ci.yml").read_text("utf-8"))
    assert data["sites"]["parallel"]["matrix"] == [{"SITE": [*SITES[:3], "westfield", "trust"]}]
    assert shell(trust, data["matrix"]["script"][0]).returncode == 0


def test_existing_files_are_left_as_they_were(trust):
    ours = trust / ".gitlab-ci.yml"
    ours.write_text("# the trust's own\n", "utf-8")
    result = policykit(trust, "trust", "ci")
    assert result.returncode == 0, result.stderr
    assert "left .gitlab-ci.yml as it was" in result.stdout
    assert ours.read_text("utf-8") == "# the trust's own\n"


def test_not_a_trust(tmp_path):
    root = copy_trust(tmp_path)
    (root / "trust.yaml").unlink()  # a policykit project, not a trust
    result = policykit(root, "trust", "ci")
    assert result.returncode == 1
    assert "no trust.yaml" in result.stderr and "Traceback" not in result.stderr
    assert not (root / ".gitlab-ci.yml").exists()
