"""The trust's model (I/O: reads): the policy/ and quizzes/ files as located documents, read
once for all schools."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from policykit.core.errors import Problem, did_you_mean, shown
from policykit.source import schema
from policykit.source.load import Document, read_document
from policykit.trust import values
from policykit.source import yaml_edit


@dataclass
class Model:
    """Every model file, by its path relative to the project."""

    documents: dict[str, Document] = field(default_factory=dict)

    def version(self, policy_id: str, version: str) -> Document | None:
        return self.documents.get(f"policy/{policy_id}/versions/{version}.yaml")

    def versions(self, policy_id: str) -> list[str]:
        prefix = f"policy/{policy_id}/versions/"
        return sorted(p[len(prefix):-5] for p in self.documents if p.startswith(prefix))

    def policy_ids(self) -> list[str]:
        return sorted(p.split("/")[1] for p in self.documents
                      if p.startswith("policy/") and p.endswith("/policy.yaml"))

    def linked_ids(self) -> set[str]:
        linked = self.documents.get("policy/linked.yaml")
        return {item.get("id") for item in linked.data.get("policies", [])} if linked else set()

    def quizzes(self) -> dict[str, Document]:
        return {p: d for p, d in self.documents.items() if p.startswith("quizzes/")}


def read_model(root: Path) -> tuple[Model, list[Problem]]:
    """The model's YAML files, each checked against its schema (a file that cannot be read or
    is not valid is a problem, and is not resolved for any school)."""
    model, problems = Model(), []
    paths = [*sorted((root / "policy").rglob("*.yaml")), *sorted((root / "quizzes").glob("*.yaml"))]
    for path in paths:
        relative = path.relative_to(root).as_posix()
        document, found = read_document(path, relative)
        if document is not None and not found and _schema_of(relative):
            found = schema.validate(document, _schema_of(relative))
        problems += found
        if document is not None and not found and isinstance(document.data, dict):
            model.documents[relative] = document
    return model, problems


def _schema_of(relative: str) -> str:
    """The schema a model file is checked against before it is resolved for any school."""
    parts = relative.split("/")
    if parts[0] == "policy" and len(parts) == 4 and parts[2] == "versions":
        return "version"
    if parts[0] == "policy" and len(parts) == 3 and parts[2] == "policy.yaml":
        return "policy"
    return {"policy/linked.yaml": "linked", "policy/organisation.yaml": "organisation",
            "quizzes/pathways.yaml": "pathways"}.get(relative, "quiz" if parts[0] == "quizzes"
                                                        else "")


def undeclared(model: Model, declared: frozenset[str]) -> list[Problem]:
    """A value a model text names that the trust does not declare: an error where it is named."""
    problems = []
    for relative, document in sorted(model.documents.items()):
        for path, text in values.strings(document.data):
            for name in values.names_in(text):
                if name not in declared:
                    problems.append(Problem(
                        document.at(path), f"%{{{shown(name)}}} names no value the trust declares",
                        "use one of the school file's values (e.g. %{dsl.name}) or declare it "
                        "under values: in trust.yaml", code="trust.undeclared-value"))
    return problems


def unknown_places(trust_document: Document, model: Model) -> list[Problem]:
    """A clause trust.yaml lets schools tailor, or a section it opens to additions, that no
    version of the model policy has: an error at its line in trust.yaml."""
    problems = []
    for policy_id, changes in sorted(trust_document.data.get("policies", {}).items()):
        if f"policy/{policy_id}/policy.yaml" not in model.documents:
            problems.append(Problem(trust_document.key_at(("policies", policy_id)),
                                    f"the model has no policy '{policy_id}'",
                                    "name a policy of policy/", code="trust.unknown-policy"))
            continue
        clauses, sections = clause_and_section_ids(model, policy_id)
        for key, known, what in (("tailorable", clauses, "clause"),
                                 ("additions", sections, "section")):
            for name in sorted(changes.get(key, {})):
                if name not in known:
                    problems.append(Problem(
                        trust_document.key_at(("policies", policy_id, key, name)),
                        f"no version of {policy_id} has a {what} '{name}'",
                        did_you_mean(name, known, f"name a {what} of the model policy"),
                        code="trust.unknown-place"))
    return problems


def clause_and_section_ids(model: Model, policy_id: str) -> tuple[set[str], set[str]]:
    """Every clause id and every section id in any version of the model policy."""
    clauses: set[str] = set()
    sections: set[str] = set()
    for version in model.versions(policy_id):
        document = model.version(policy_id, version)
        todo = list(document.data.get("sections", [])) if document else []
        while todo:
            node = todo.pop()
            if not isinstance(node, dict):
                continue
            (clauses if "kind" in node else sections).add(str(node.get("id")))
            todo += node.get("clauses", []) + node.get("sections", [])
    return clauses, sections


def under_trust_name(organisation: bytes, name: str) -> bytes:
    """The model's organisation.yaml with the trust's name in place of the model's (the
    trust's site is the trust's, not that of the school the model came from); only the name's
    value changes, so every other line stays where the author wrote it."""
    import json


    try:
        text = organisation.decode("utf-8")
        data, mapping = yaml_edit.parse(text)
        if not isinstance(data, dict) or "name" not in data:
            return organisation
        edit = yaml_edit.set_value(text, mapping, "name", json.dumps(name, ensure_ascii=False))
        return yaml_edit.apply(text, [edit]).encode("utf-8")
    except (UnicodeDecodeError, yaml_edit.EditError):
        return organisation  # a file that cannot be read is reported where it is written
