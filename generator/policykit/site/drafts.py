"""The published project: what a site built without drafts shows (pure).

`policykit build --no-drafts` (or `drafts: false` under the policykit plugin in mkdocs.yml)
builds the site staff and the public read: approved text only. Drafts, their comparisons and
packs are left out; a policy with only drafts is left out entirely, with the quizzes on it and
their places in pathways. The checks still see every draft (see build.load_and_check)."""

from __future__ import annotations

import dataclasses

from policykit.core.model import Pathway, Policy, Project


def site_project(project: Project, drafts: bool) -> Project:
    """The project a site shows: all of it, or without drafts (the `drafts` setting)."""
    return project if drafts else published(project)


def published(project: Project) -> Project:
    """The project without its drafts (see the module's docstring)."""
    policies = tuple(p for p in map(_approved_only, project.policies) if p.versions)
    kept = {p.id for p in policies}
    withheld = {p.id for p in project.policies} - kept
    quizzes = tuple(q for q in project.quizzes if q.policy not in withheld)
    quiz_ids = {q.id for q in quizzes}
    pathways = tuple(p for p in (_only_quizzes(p, quiz_ids) for p in project.pathways)
                     if p.quizzes)
    policies = tuple(dataclasses.replace(p, linked_policies=tuple(
        linked for linked in p.linked_policies if linked not in withheld))
        if set(p.linked_policies) & withheld else p for p in policies)
    return dataclasses.replace(project, policies=policies, quizzes=quizzes, pathways=pathways)


def _approved_only(policy: Policy) -> Policy:
    """The policy with its approved versions only."""
    versions = tuple(v for v in policy.versions if v.status != "draft")
    if len(versions) == len(policy.versions):
        return policy
    return dataclasses.replace(policy, versions=versions)


def _only_quizzes(pathway: Pathway, quiz_ids: set[str]) -> Pathway:
    """The pathway without the quizzes left out of the site."""
    if all(q in quiz_ids for q in pathway.quizzes):
        return pathway
    pairs = [(q, s) for q, s in zip(pathway.quizzes, pathway.quiz_sources or
                                    (pathway.source,) * len(pathway.quizzes)) if q in quiz_ids]
    return dataclasses.replace(pathway, quizzes=tuple(q for q, _ in pairs),
                               quiz_sources=tuple(s for _, s in pairs))

