"""policykit's own documentation site: it builds --strict, its references list every command
and every schema field, it asks no other host for anything, and the README stays a pointer."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCHEMAS = ROOT / "generator/policykit/schemas"


@pytest.fixture(scope="module")
def docs_site(tmp_path_factory) -> Path:
    site = tmp_path_factory.mktemp("docs") / "site"
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(ROOT / "docs/mkdocs.yml"),
         "--site-dir", str(site)],
        capture_output=True, text=True, env={"NO_MKDOCS_2_WARNING": "1", "PATH": "/usr/bin:/bin"})
    assert result.returncode == 0, result.stderr
    return site


def _text(html: str) -> str:
    return re.sub(r"<[^>]+>", "", html)


def test_every_page_of_the_navigation_is_built(docs_site):
    config = (ROOT / "docs/mkdocs.yml").read_text("utf-8")
    pages = re.findall(r":\s+([\w/-]+)\.md$", config, re.MULTILINE)
    assert len(pages) >= 15
    for page in pages:
        built = docs_site / ("index.html" if page == "index" else f"{page}/index.html")
        assert built.is_file(), page


def test_the_command_reference_lists_every_command_and_option(docs_site):
    from policykit.cli.main import _parser

    html = (docs_site / "reference/commands/index.html").read_text("utf-8")
    text = _text(html)
    parser = _parser()
    commands = next(a for a in parser._subparsers._group_actions if a.choices).choices
    assert len(commands) >= 12
    for name, sub in commands.items():
        assert f'id="policykit-{name}"' in html, name
        for action in sub._actions:
            for option in action.option_strings:
                assert option in text, (name, option)


def _fields(node: dict, root: dict, seen=frozenset()) -> set[str]:
    while "$ref" in node:
        ref = node["$ref"]
        if ref in seen:
            return set()
        seen = seen | {ref}
        node = root["$defs"][ref.rsplit("/", 1)[-1]]
    names = set(node.get("properties", {}))
    for child in [*node.get("properties", {}).values(), *([node["items"]] if "items" in node else [])]:
        names |= _fields(child, root, seen)
    return names


def test_the_field_reference_lists_every_field_of_every_schema(docs_site):
    text = _text((docs_site / "reference/fields/index.html").read_text("utf-8"))
    listed = set(re.findall(r"(?:^|[.\]\s])([a-z_$]+)(?=\s*\n|\s)", text))
    for schema_file in sorted(SCHEMAS.glob("*.schema.json")):
        schema = json.loads(schema_file.read_text("utf-8"))
        for field in _fields(schema, schema):
            assert field in listed, (schema_file.name, field)


def test_the_problem_code_reference_lists_every_code(docs_site):
    from policykit.core.codes import CODES

    page = (docs_site / "reference/problems/index.html").read_text("utf-8")
    assert sorted(set(re.findall(r'<code id="([a-z0-9.-]+)">', page))) == sorted(CODES)


def test_the_documentation_asks_no_other_host_for_anything(docs_site):
    for page in docs_site.rglob("*.html"):
        html = page.read_text("utf-8")
        for tag, address in re.findall(r"<(script|link|img|iframe)\b[^>]*?(?:src|href)=\"([^\"]+)\"",
                                       html):
            assert not re.match(r"(https?:)?//", address), (page, tag, address)


def test_the_readme_points_to_the_documentation():
    readme = (ROOT / "README.md").read_text("utf-8")
    assert len(readme.splitlines()) <= 150
    assert "./dev site" in readme and "./dev test" in readme
    for link in re.findall(r"\]\((docs/[^)]+)\)", readme):
        assert (ROOT / link).is_file(), link
    assert (ROOT / "LICENSE").read_text("utf-8").startswith("MIT License")
