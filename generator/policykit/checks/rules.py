"""Rules that span files: one function per rule, each yielding Problems (pure)."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from typing import Any, Callable, Iterable, Iterator

from policykit.core.errors import Problem, did_you_mean, shown
from policykit.core.model import Policy, Project, Ref, Version
from policykit.core.memos import Memos, memos_or_new
from policykit.checks.review import check_change_notes
from policykit.checks.statutory import check_statutory
from policykit.checks.text import check_blank_clauses, check_clause_html
from policykit.quiz.bank import check_coverage, check_pathways, check_quizzes

Check = Callable[[Project], Iterable[Problem]]
MemoisedCheck = Callable[[Project, Memos], Iterable[Problem]]  # remembers its work in memos


def check_unique_ids(project: Project) -> Iterator[Problem]:
    """Section and clause ids are unique within a version: each is an anchor on one page."""
    for policy in project.policies:
        for version in policy.versions:
            seen: dict[str, Any] = {}
            items: list[Any] = [*version.all_sections, *version.clauses()]
            for item in items:
                if item.id in seen:
                    first = seen[item.id].source
                    yield Problem(item.source, f"id '{item.id}' is used twice in this version "
                                  f"(first at line {first.line})", "give each section and clause its own id",
                                  code="id.duplicate")
                seen.setdefault(item.id, item)


def check_linked_policies(project: Project) -> Iterator[Problem]:
    """Every linked policy is kept in policy/ or registered in policy/linked.yaml."""
    known = _policy_ids(project)
    for policy in project.policies:
        for i, linked_id in enumerate(policy.linked_policies):
            if linked_id not in known:
                yield Problem(policy.at("linked_policies", i), f"linked policy '{linked_id}' is neither a folder in "
                              "policy/ nor an entry of policy/linked.yaml",
                              did_you_mean(linked_id, known, "register it in policy/linked.yaml"),
                              code="linked.unknown")


def check_refs(project: Project) -> Iterator[Problem]:
    """Every ref of every clause resolves to a policy, and its anchor to a section or clause."""
    known = _policy_ids(project)
    for policy in project.policies:
        for version in policy.versions:
            for clause in version.clauses():
                for ref in clause.refs:
                    yield from _check_ref(project, known, policy, version, ref)


def _check_ref(project: Project, known: set[str], policy: Policy, version: Version,
               ref: Ref) -> Iterator[Problem]:
    if ref.policy and ref.policy not in known:
        yield Problem(ref.source, f"ref '{ref.text}' names an unknown policy '{ref.policy}'",
                      did_you_mean(ref.policy, known, "register it in policy/linked.yaml"),
                      code="ref.unknown-policy")
        return
    if not ref.anchor:
        return
    target = project.policy(ref.policy) if ref.policy else policy
    if target is None:
        yield Problem(ref.source, f"ref '{ref.text}' points into '{ref.policy}', which is not kept "
                      "in policy/", f"link to the whole policy: write '{ref.policy}'",
                      code="ref.policy-not-kept")
        return
    anchors = version.anchors() if target is policy else (target.current.anchors()
                                                           if target.current else set())
    if ref.anchor not in anchors:
        yield Problem(ref.source, f"ref '{ref.text}': no section or clause '{ref.anchor}' in "
                      f"{'this version' if target is policy else target.id}",
                      did_you_mean(ref.anchor, anchors, "check the id"), code="ref.unknown-target")


def check_registry(project: Project) -> Iterator[Problem]:
    """policy/linked.yaml has no duplicates and no entry for a policy kept in policy/."""
    counts = Counter(entry.id for entry in project.linked)
    for entry in project.linked:
        if project.policy(entry.id):
            yield Problem(entry.source, f"'{entry.id}' is kept in policy/ and also registered here",
                          "remove this entry", code="linked.also-kept")
        elif counts[entry.id] > 1:
            yield Problem(entry.source, f"'{entry.id}' is registered more than once", "keep one entry",
                          code="linked.duplicate")


def check_organisation_terms(project: Project) -> Iterator[Problem]:
    """Owners are roles, and audiences are ids, known to policy/organisation.yaml."""
    organisation = project.organisation
    if organisation is None:
        return
    roles = [r.title for r in organisation.roles]
    audiences = [a for a, _ in organisation.audiences]
    for policy in project.policies:
        if policy.owner not in roles:
            yield Problem(policy.at("owner"), f"owner '{policy.owner}' is not a role in "
                          "policy/organisation.yaml", did_you_mean(policy.owner, roles,
                                                                   "add the role there"),
                          code="organisation.unknown-owner")
        for i, audience in enumerate(policy.audience):
            if audience not in audiences:
                yield Problem(policy.at("audience", i), f"audience '{audience}' is not in policy/organisation.yaml",
                              did_you_mean(audience, audiences, "add it to audiences there"),
                              code="organisation.unknown-audience")


def check_organisation_unique(project: Project) -> Iterator[Problem]:
    """Role ids and titles, audience ids and abbreviations are each written once: a repeat
    makes owners, audiences and the glossary ambiguous."""
    organisation = project.organisation
    if organisation is None:
        return
    lists = (("roles", "id", "role id", [r.id for r in organisation.roles]),
             ("roles", "title", "role title", [r.title for r in organisation.roles]),
             ("audiences", "id", "audience id", [a for a, _ in organisation.audiences]),
             ("abbreviations", "abbr", "abbreviation", [a for a, _ in organisation.abbreviations]))
    for key, field, what, values in lists:
        first: dict[str, int] = {}
        for i, value in enumerate(values):
            if value in first:
                line = organisation.at(key, first[value], field).line
                yield Problem(organisation.at(key, i, field), f"{what} '{shown(value)}' is written "
                              f"twice (first at line {line})", "keep one entry",
                              code="organisation.duplicate")
            first.setdefault(value, i)
    abbreviations = dict((a, i) for i, (a, _) in enumerate(organisation.abbreviations))
    for i, role in enumerate(organisation.roles):
        if role.abbr and role.abbr in abbreviations:
            line = organisation.at("abbreviations", abbreviations[role.abbr], "abbr").line
            yield Problem(organisation.at("roles", i, "abbr"), f"abbreviation '{shown(role.abbr)}' "
                          f"is also in abbreviations (line {line})", "keep one of them",
                          code="organisation.abbreviation-clash")


def check_links_in_text(project: Project, memos: Memos | None = None) -> Iterator[Problem]:
    """Links written in clause text go to a full address or to a section or clause of the
    version: a root-relative or relative link ('/staff/pat.html') passes the build and 404s."""
    memos = memos_or_new(memos)
    for policy in project.policies:
        for version in policy.versions:
            key = (version.source.path, version.digest)  # problems name the file's path
            yield from memos.kept_value("links in text", key, lambda: tuple(_bad_links(version)))


def _bad_links(version: Version) -> Iterator[Problem]:
    anchors = version.anchors()
    for clause in version.clauses():
        for target in links_in(clause.text):
            problem = _bad_link(target, anchors)
            if problem:
                yield Problem(clause.source, f"clause '{clause.id}': link "
                              f"'{shown(target)}' {problem}",
                              "write a full address (https://...), a section or clause "
                              "of this version ('#clause-id'), or list the policy in refs",
                              code="link.bad")


# Inline links and images; a reference definition (a line that is only '[id]: address' and a
# title, as Markdown reads one); an autolink; an HTML tag's href.
_LINKS = re.compile(r"\]\(\s*<?([^)\s>]*)"
                    r"|^[ ]{0,3}\[[^\]]+\]:[ ]*<?([^\s>]+)>?[ ]*"
                    r"(?:(?:\"[^\"]*\"|'[^']*'|\([^)]*\))[ ]*)?$"
                    r"|<([A-Za-z][A-Za-z0-9+.-]*:[^\s>]*)>"
                    r"|<[A-Za-z][^>]*?\shref\s*=\s*[\"']?([^\"'\s>]*)",
                    re.MULTILINE | re.IGNORECASE)
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")


def links_in(text: str) -> list[str]:
    """The targets of the links written in Markdown text (inline, reference, auto, HTML)."""
    return [next(g for g in match.groups() if g is not None) for match in _LINKS.finditer(text)]


def _bad_link(target: str, anchors: frozenset[str]) -> str:
    if _SCHEME.match(target):
        return ""
    if target.startswith("#"):
        return "" if target[1:] in anchors else "points to no section or clause of this version"
    if target.startswith("/"):
        return "is root-relative: the site may be served from a sub-folder, where it 404s"
    return "is relative: it depends on the page's address and breaks when pages move"


def check_approval_fields(project: Project) -> Iterator[Problem]:
    """A draft claims no approval (an approved version may lack details its source never gave)."""
    for policy in project.policies:
        for version in policy.versions:
            if version.status == "draft" and (version.approved_on or version.approved_by):
                field = "approved_on" if version.approved_on else "approved_by"
                yield Problem(version.at(field), "a draft has approval details",
                              "remove approved_on and approved_by, or set status: approved",
                              code="approval.on-draft")


def check_review_due(project: Project, today: dt.date | None = None) -> Iterator[Problem]:
    """A warning when a policy's current version is past its review date."""
    today = today or dt.date.today()
    for policy in project.policies:
        current = policy.current
        if current and current.review_due and current.review_due < today:
            yield Problem(current.at("review_due"), f"review was due on {current.review_due.isoformat()}",
                          "review the policy and start a new version", severity="warning",
                          code="review.overdue")


def check_approved_versions_unchanged(project: Project) -> Iterator[Problem]:
    """An approved version's file still has the content hash recorded when it was approved."""
    for policy in project.policies:
        by_name = {v.version: v for v in policy.versions}
        for name, digest in sorted(policy.locked.items()):
            version = by_name.get(name)
            if version is None and name in policy.unloaded_versions:
                yield Problem(policy.lock_source or policy.source,
                              f"approved version {name} does not load, so its text cannot be "
                              "compared with the lock",
                              f"correct the errors reported in versions/{name}.yaml, undoing "
                              "any edit made to it", code="approval.unloadable")
            elif version is None:
                yield Problem(policy.lock_source or policy.source,
                              f"approved version {name} is missing",
                              "approved versions are history: restore its file",
                              code="approval.missing")
            elif version.status != "approved":
                yield Problem(version.at("status"), f"version {name} was approved but now says "
                              f"status: {version.status}", "restore status: approved",
                              code="approval.status-changed")
            elif version.digest != digest:
                yield Problem(version.source, f"approved version {name} has changed since it was "
                              "approved (its content hash differs from the lock)",
                              "approved versions are immutable: undo the edit and make changes in "
                              f"a new version (policykit new-version {policy.id} <version>)",
                              code="approval.changed")
        for version in policy.versions:
            if version.status == "approved" and version.version not in policy.locked:
                yield Problem(version.source, _not_locked(version.version),
                              f"record it: policykit approve {policy.id} {version.version}",
                              code="approval.not-locked")


def _not_locked(version: str) -> str:
    return f"approved version {version} is not locked, so nothing stops its text from changing"


def is_unlocked(problem: Problem, policy: Policy, version: Version) -> bool:
    """Whether problem is the one that approving version records: the model says it is
    approved with no lock entry, and problem is that fault of its file."""
    return (version.status == "approved" and version.version not in policy.locked
            and problem.code == "approval.not-locked"
            and problem.source.path == version.source.path)


def check_removal_notes(project: Project) -> Iterator[Problem]:
    """A version's 'removed' notes name clauses that are really gone from it."""
    for policy in project.policies:
        for version in policy.versions:
            present = {c.id for c in version.clauses()}
            for i, (clause_id, _) in enumerate(version.removed):
                if clause_id in present:
                    yield Problem(version.at("removed", i), f"clause '{clause_id}' is listed as "
                                  "removed but is still in this version",
                                  "remove it from the clauses or from 'removed'",
                                  code="removed.still-present")


def check_removed_ids(project: Project) -> Iterator[Problem]:
    """A version's 'removed' notes name clauses of the version it is compared with: a note
    naming a clause that was never there explains nothing, and the real removal shows with no
    reason (a warning: an approved version cannot be edited)."""
    for policy in project.policies:
        for index, version in enumerate(policy.versions):
            before = compared_with(policy, index)
            had = before.clause_numbers if before else {}
            present = version.clause_numbers
            gone = sorted(set(had) - set(present))
            for i, (clause_id, _) in enumerate(version.removed):
                if clause_id in had or clause_id in present:
                    continue
                what = (f"version {before.version} has no such clause" if before
                        else "there is no earlier version")
                yield Problem(version.at("removed", i), f"clause '{shown(clause_id)}' is listed "
                              f"as removed, but {what}",
                              did_you_mean(clause_id, gone, "check the id against the "
                                           "clauses of the version before"),
                              severity="warning", code="removed.not-a-clause")


def compared_with(policy: Policy, index: int) -> Version | None:
    """The version the policy's version at index is read against: the current version for
    the newest draft (as the site compares them), else the version before it."""
    version, current = policy.versions[index], policy.current
    if (version is policy.versions[-1] and version.status == "draft" and current is not None
            and current is not version):
        return current
    return policy.versions[index - 1] if index else None


def check_training_reason(project: Project) -> Iterator[Problem]:
    """training_reason belongs with training: none; without it staff are still quizzed and
    the reason is shown nowhere."""
    for policy in project.policies:
        if policy.training_reason is not None and policy.training != "none":
            yield Problem(policy.at("training_reason"), "'training_reason' is given but "
                          f"'training' is '{policy.training}': the policy still needs a quiz, "
                          "and the reason is shown nowhere",
                          "add training: none if staff only read it, or remove training_reason",
                          code="training.reason-unused")


def check_option_texts(project: Project) -> Iterator[Problem]:
    """The options of a question read differently: two alike (ignoring case and spacing)
    cannot be told apart by a learner."""
    for quiz in project.quizzes:
        for question in quiz.questions:
            first: dict[str, int] = {}
            for i, option in enumerate(question.options):
                key = " ".join(option.text.split()).casefold()
                if key in first:
                    at = question.places.get(("options", i), question.source)
                    line = question.places.get(("options", first[key]), question.source).line
                    yield Problem(at, f"question '{question.id}': option "
                                  f"'{shown(option.text)}' reads the same as the option at "
                                  f"line {line}", "word each option differently, or remove one",
                                  code="quiz.same-options")
                first.setdefault(key, i)


RESERVED_VERSION_NAMES = ("history", "compare", "print")


def check_reserved_version_names(project: Project) -> Iterator[Problem]:
    """Version names share a policy's address space with its history, compare and print pages."""
    for policy in project.policies:
        for version in policy.versions:
            if version.version.lower() in RESERVED_VERSION_NAMES:
                yield Problem(version.at("version"), f"'{version.version}' cannot be a version "
                              "name: the site uses it for another page",
                              "name versions like 2024.1", code="version.reserved-name")


def check_guessed_kinds(project: Project) -> Iterator[Problem]:
    """A kind guessed by policykit import is a warning until a person confirms it."""
    for policy in project.policies:
        for version in policy.versions:
            for clause in version.clauses():
                if clause.kind_guessed:
                    yield Problem(clause.source, f"clause '{clause.id}': kind '{clause.kind}' was "
                                  "guessed from its wording by policykit import",
                                  "confirm or correct the kind, then remove 'kind_guessed: true'",
                                  severity="warning", code="kind.guessed")


ALL_CHECKS: tuple[Check, ...] = (
    check_unique_ids,
    check_guessed_kinds,
    check_linked_policies,
    check_refs,
    check_registry,
    check_organisation_terms,
    check_organisation_unique,
    check_approval_fields,
    check_approved_versions_unchanged,
    check_removal_notes,
    check_removed_ids,
    check_training_reason,
    check_option_texts,
    check_reserved_version_names,
    check_coverage,
    check_pathways,
    check_blank_clauses,
    check_statutory,
)
# The rules whose results are kept between runs (by content digests) in the memos they are given.
MEMOISED_CHECKS: tuple[MemoisedCheck, ...] = (
    check_links_in_text,
    check_quizzes,
    check_clause_html,
    check_change_notes,
)


def run_checks(project: Project, today: dt.date | None = None,
               memos: Memos | None = None) -> list[Problem]:
    """Every problem every rule finds (review dates judged on today), sorted by file and line;
    memos: where the memoised rules remember their results (the build session's)."""
    memos = memos_or_new(memos)
    found = [p for check in ALL_CHECKS for p in check(project)]
    found += [p for check in MEMOISED_CHECKS for p in check(project, memos)]
    return sorted(found + list(check_review_due(project, today)))


def _policy_ids(project: Project) -> set[str]:
    return {p.id for p in project.policies} | {p.id for p in project.linked}
