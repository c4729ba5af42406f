"""The approved 2023.1 Social Media Policy holds the school's text word for word."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from policykit.cli.main import load_and_check

SEED = "tests/fixtures/seed/social-media-policy-newbury-school.txt"


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.?!:])\s+", _flat(text)) if s]


@pytest.fixture(scope="module")
def seed_parts(example_root):
    lines = [line.strip() for line in (example_root / SEED).read_text("utf-8").splitlines()]
    lines = [line for line in lines if line]
    start = lines.index("Introduction")
    end = lines.index("Linked policies")
    return {"head": lines[:start], "body": "\n".join(lines[start:end + 2]),
            "linked": lines[end + 2:]}


@pytest.fixture(scope="module")
def policy(example_root):
    project, problems = load_and_check(example_root)
    assert not [p for p in problems if p.severity == "error"], problems
    return project, project.policy("social-media")


def _policy_text(version) -> str:
    parts = []
    for section in version.sections:
        parts.append(section.title)
        parts.extend(clause.text for clause in section.walk())
    return _flat(" ".join(parts))


def test_every_seed_sentence_appears_verbatim(seed_parts, policy):
    _, social_media = policy
    text = _policy_text(social_media.version("2023.1"))
    missing = [s for s in _sentences(seed_parts["body"]) if s not in text]
    assert missing == []


def test_policy_text_is_the_seed_text_in_order_with_nothing_added(seed_parts, policy):
    _, social_media = policy
    assert _policy_text(social_media.version("2023.1")) == _flat(seed_parts["body"])


def test_seed_heading_lines_are_the_metadata(seed_parts, policy):
    project, social_media = policy
    version = social_media.version("2023.1")
    title, school, drawn_from, *sources = seed_parts["head"]
    assert title == social_media.title.upper()
    assert school == project.organisation.name.upper()
    assert drawn_from == "This policy is drawn from:"
    assert [s.lstrip("· ") for s in sources] == list(version.sources)


def test_linked_policy_list_is_the_seed_list_in_order(seed_parts, policy):
    project, social_media = policy
    titles = [project.linked_policy(i).title for i in social_media.linked_policies]
    assert [line.lstrip("· ") for line in seed_parts["linked"]] == titles


def test_seed_lists_became_sub_clauses(policy):
    _, social_media = policy
    version = social_media.version("2023.1")
    by_id = {c.id: c for c in version.clauses()}
    assert len(by_id["prohibitions"].clauses) == 7
    assert len(by_id["prohibited-activities"].clauses) == 8
    assert by_id["decline-friend-requests"].number == "6.1.6"
    assert version.status == "approved" and version.approved_on == dt.date(2023, 9, 14)
