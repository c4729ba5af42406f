"""imsmanifest.xml is valid against the IMS Content Packaging 1.1.2 and ADL SCORM 1.2 schemas
(tests/data/scorm12-xsd, validated with lxml) for every shape of version name, long titles
included, and in the package the built site offers."""

from __future__ import annotations

import dataclasses
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from policykit.quiz import export
from policykit.source.project import load_project
from policykit.quiz.document import quiz_document

XSD = Path(__file__).parent / "data/scorm12-xsd"
CP = "http://www.imsproject.org/xsd/imscp_rootv1p1p2"
ADL = "http://www.adlnet.org/xsd/adlcp_rootv1p2"


@pytest.fixture(scope="module")
def schema() -> etree.XMLSchema:
    """Both schemas at once, as an LMS that validates a SCORM 1.2 manifest holds it."""
    both = (f'<xsd:schema xmlns:xsd="http://www.w3.org/2001/XMLSchema">'
            f'<xsd:import namespace="{CP}" schemaLocation="{(XSD / "imscp_rootv1p1p2.xsd").as_uri()}"/>'
            f'<xsd:import namespace="{ADL}" schemaLocation="{(XSD / "adlcp_rootv1p2.xsd").as_uri()}"/>'
            "</xsd:schema>")
    return etree.XMLSchema(etree.fromstring(both.encode("utf-8"), base_url=XSD.as_uri() + "/"))


def errors(schema: etree.XMLSchema, text: str) -> list[str]:
    schema.validate(etree.fromstring(text.encode("utf-8")))
    return [f"line {e.line}: {e.message}" for e in schema.error_log]


@pytest.fixture(scope="module")
def doc(example_root):
    project, _ = load_project(example_root)
    return quiz_document(project, project.quizzes[0])


def test_the_schemas_catch_a_broken_manifest(schema, doc):
    """The validation can fail: a manifest with an unknown element or a 21-character version."""
    good = export.scorm_manifest(doc, ["index.html"])
    assert errors(schema, good) == []
    assert errors(schema, good.replace("<schemaversion>", "<schemaversio>")
                  .replace("</schemaversion>", "</schemaversio>"))
    root = etree.fromstring(good.encode("utf-8"))
    root.set("version", "x" * 21)
    assert errors(schema, etree.tostring(root, encoding="unicode"))


VERSIONS = ["1", "2", "2023.1", "2024-25", "2025-26.1", "2025-26.10", "v2.0.0-rc1",
            "2025.1-draft-for-governors", "9" * 40, "A.b-C.d-E.f-G.h-I.j-K.l-M.n"]


@pytest.mark.parametrize("version", VERSIONS)
def test_the_manifest_is_valid_for_every_shape_of_version_name(schema, doc, version):
    changed = dataclasses.replace(doc, policy_version=version)
    text = export.scorm_manifest(changed, ["index.html", "quiz.js"])
    assert errors(schema, text) == []
    root = etree.fromstring(text.encode("utf-8"))
    # the version still tells one package of the quiz from another
    other = export.scorm_manifest(dataclasses.replace(changed, pass_mark=70), ["index.html"])
    assert etree.fromstring(other.encode("utf-8")).get("version") != root.get("version")
    assert root.get("identifier") != etree.fromstring(other.encode("utf-8")).get("identifier")
    if len(version) <= 13:  # a version name that fits is read as written
        assert root.get("version").startswith(version + "-")


def test_long_titles_are_shortened_to_what_the_schema_allows(schema, doc):
    long = dataclasses.replace(doc, title="Safeguarding " * 30, policy_title="Policy " * 40)
    text = export.scorm_manifest(long, ["index.html"])
    assert errors(schema, text) == []
    titles = etree.fromstring(text.encode("utf-8")).iter(f"{{{CP}}}title")
    assert all(t.text.startswith("Safeguarding Safeguarding") and t.text.endswith("…")
               for t in titles)


def test_the_package_the_site_offers_is_valid(schema, example_site):
    with zipfile.ZipFile(example_site / "downloads/social-media-induction-scorm12.zip") as zipped:
        manifest = zipped.read("imsmanifest.xml").decode("utf-8")
        names = set(zipped.namelist())
    assert errors(schema, manifest) == []
    listed = {f.get("href") for f in etree.fromstring(manifest.encode("utf-8")).iter(f"{{{CP}}}file")}
    assert listed == names - {"imsmanifest.xml"}
