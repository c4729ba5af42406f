"""`policykit trust ci`: CI files that build each school's site as a job of its own, all in
parallel, and publish each at its own address (GitHub Actions' `strategy.matrix` made from
`policykit trust sites --json`; GitLab CI's `parallel:matrix`, written with the sites of today).
Nothing that exists is overwritten unless asked."""

from __future__ import annotations

import json
import re
from pathlib import Path

from policykit.trust.schools import SCHOOLS_FOLDER, TRUST_SITE
from policykit import __version__
from policykit.engine.write import write_new_file

GITHUB = ".github/workflows/sites.yml"
GITLAB = ".gitlab-ci.yml"


def site_ids(root: Path) -> list[str]:
    """Every site trust build makes, as a CI matrix lists them: the school ids, then 'trust'."""
    folder = root / SCHOOLS_FOLDER
    return [*(sorted(p.stem for p in folder.glob("*.yaml")) if folder.is_dir() else []),
            TRUST_SITE]


def ci_files(sites: list[str], version: str) -> dict[str, str]:
    """The CI files for a trust with these sites, by path, for policykit version."""
    listed = json.dumps(sites)
    return {GITHUB: _GITHUB.replace("@VERSION@", version),
            GITLAB: _GITLAB.replace("@VERSION@", version).replace("@SITES_JSON@", listed)
            .replace("@SITES@", json.dumps(sites))}


def write_ci(root: Path, force: bool = False) -> tuple[list[str], list[str]]:
    """Write the CI files into the trust at root: those written and those left as they were
    (they exist, and force was not given). Raises OSError when one cannot be written."""
    written, left = [], []
    for relative, text in ci_files(site_ids(root), __version__).items():
        path = root / relative
        if path.exists() and not force:
            left.append(relative)
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        if force and path.is_file():
            path.write_text(text, encoding="utf-8", newline="\n")
        else:
            write_new_file(path, text)
        written.append(relative)
    return written, left


# Files `policykit init` writes for one site, whose `policykit build` a trust project refuses.
SINGLE_SITE_FILES = (".github/workflows/pages.yml", GITLAB, "Dockerfile")
_PLAIN_BUILD = re.compile(r"\bpolicykit\s+build\b")


def single_site_leftovers(root: Path) -> list[str]:
    """What to do about each CI file of one site (as `policykit init` writes) in the trust at
    root: each runs `policykit build`, which a trust project refuses."""
    said = []
    for relative in SINGLE_SITE_FILES:
        path = root / relative
        try:
            text = path.read_text("utf-8", errors="replace") if path.is_file() else ""
        except OSError:
            continue
        if not _PLAIN_BUILD.search(text):
            continue
        if relative == GITLAB:
            said.append(f"{GITLAB} runs policykit build, which a trust project refuses: "
                        "policykit trust ci --force replaces it with the trust's")
        elif relative == "Dockerfile":
            said.append("Dockerfile runs policykit build, which a trust project refuses: "
                        "change it to policykit trust build --strict, or delete it")
        else:
            said.append(f"{relative} runs policykit build, which a trust project refuses, and "
                        f"would deploy GitHub Pages beside {GITHUB}: delete it (git rm "
                        f"{relative}); {GITHUB} publishes every school's site")
    hook = root / ".pre-commit-config.yaml"
    try:
        text = hook.read_text("utf-8", errors="replace") if hook.is_file() else ""
    except OSError:
        text = ""
    if "policykit" in text and "schools" not in text:
        said.append(".pre-commit-config.yaml checks nothing when only schools/ or trust.yaml "
                    "change: add them to its files: pattern, e.g. "
                    "^(policy/|quizzes/|schools/|trust\\.yaml$)")
    return said


_GITHUB = """\
# Written by `policykit trust ci`. Builds each school's site, and the trust's, as a job of its
# own, all in parallel, on every push to main; then publishes them together on GitHub Pages
# (Settings > Pages > Source: GitHub Actions), each at its own address:
# https://<owner>.github.io/<repository>/<site-id>/ (the departure report at .../departures/).
# The sites come from `policykit trust sites --json`: a school added to schools/ is built
# without editing this file. When any site fails, nothing is published and every school keeps
# its last published site; the failed job's log names the file and line to correct.
name: Build and publish the schools' sites
on:
  push:
    branches: [main]
  workflow_dispatch:
permissions:
  contents: read
concurrency:
  group: sites
  cancel-in-progress: true
jobs:
  sites:
    runs-on: ubuntu-latest
    outputs:
      sites: ${{ steps.sites.outputs.sites }}
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-python@v5
        with:
          python-version: "3.12"
      - run: pip install "policykit-sites==@VERSION@"
      - id: sites
        run: echo "sites=$(policykit trust sites --json)" >> "$GITHUB_OUTPUT"
  build:
    needs: sites
    runs-on: ubuntu-latest
    strategy:
      fail-fast: false
      matrix:
        site: ${{ fromJSON(needs.sites.outputs.sites) }}
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-python@v5
        with:
          python-version: "3.12"
      - run: pip install "policykit-sites==@VERSION@"
      - run: policykit trust build --strict --school "${{ matrix.site }}"
      - uses: actions/upload-artifact@v4
        with:
          name: site-${{ matrix.site }}
          path: |
            site/${{ matrix.site }}
            site/departures
          if-no-files-found: error
  publish:
    needs: build
    runs-on: ubuntu-latest
    permissions:
      pages: write
      id-token: write
    environment:
      name: github-pages
      url: ${{ steps.deployment.outputs.page_url }}
    steps:
      - uses: actions/download-artifact@v4
        with:
          pattern: site-*
          merge-multiple: true
          path: site
      - uses: actions/upload-pages-artifact@v3
        with:
          path: site
      - id: deployment
        uses: actions/deploy-pages@v4
"""

_GITLAB = """\
# Written by `policykit trust ci`. Builds each school's site, and the trust's, as a job of its
# own, all in parallel, on every push to the default branch; then publishes them together on
# GitLab Pages, each at its own address: https://<group>.gitlab.io/<project>/<site-id>/ (the
# departure report at .../departures/). When any site fails, nothing is published and every
# school keeps its last published site; the failed job's log names the file and line to correct.
# GitLab's matrix is written here: after adding or removing a school, run
# `policykit trust ci --force` (the `matrix` job fails until the list is current).
stages: [build, publish]
default:
  image: python:3.12
  before_script:
    - pip install "policykit-sites==@VERSION@"
matrix:
  stage: build
  script:
    - test "$(policykit trust sites --json)" = '@SITES_JSON@'
sites:
  stage: build
  parallel:
    matrix:
      - SITE: @SITES@
  script:
    - policykit trust build --strict --school "$SITE"
  artifacts:
    paths:
      - site/$SITE
      - site/departures
pages:
  stage: publish
  before_script: []
  script:
    - rm -rf public && mv site public
  artifacts:
    paths:
      - public
  rules:
    - if: $CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH
"""
