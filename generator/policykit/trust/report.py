"""The departure report (pure): per model policy, the version each school adopted, when and by
whom it was approved, and every place its text departs from the model's, with the model's text
beside the school's; as JSON and as a page.

The JSON is data: each text as its file gives it (the model's clause text as written, the
school's with its values filled in). The page shows each clause's text as the policy pages do:
its Markdown rendered and sanitised by markdown_to_html, which renders every clause of a site
(a trial: `*Keeping Children Safe in Education*` and `**must**` were shown with their
asterisks)."""

from __future__ import annotations

import copy
import json
from typing import Sequence

import jinja2

from policykit.core.memos import Memos
from policykit.core.text import markdown_to_html
from policykit.site.templates import packaged
from policykit.trust import values
from policykit.trust.local_changes import Departure
from policykit.trust.resolve import Resolved
from policykit.trust.schools import Trust

TEMPLATE = "trust_departures.html.j2"


def report_data(trust: Trust, schools: list[Resolved], not_built: Sequence[str] = ()) -> dict:
    """The report as plain values, every list sorted; not_built names the schools whose
    files could not be used (they are in no row)."""
    policies: dict[str, list[dict]] = {}
    for resolved in sorted(schools, key=lambda r: r.school.id):
        for adopted in resolved.adopted:
            departures = [_departure(d) for d in resolved.departures
                          if d.policy == adopted["policy"]]
            policies.setdefault(adopted["policy"], []).append({
                "school": resolved.school.id, "name": resolved.school.data["name"],
                "urn": resolved.school.data["urn"], "version": adopted["version"],
                "approved_on": adopted["approved_on"], "approved_by": adopted["approved_by"],
                "approval_minute": adopted["approval_minute"],
                "adoptions": adopted["adoptions"],
                "departures": sorted(departures, key=lambda d: (d["kind"], d["clause"]))})
    return {"trust": trust.name, "schools_not_built": sorted(not_built),
            "policies": [{"policy": pid, "permitted": _permitted(trust, pid), "schools": rows}
                         for pid, rows in sorted(policies.items())]}


def _permitted(trust: Trust, policy_id: str) -> list[dict]:
    """What the model lets schools change in the policy, with the trust's guidance."""
    changes = trust.changes(policy_id)
    return ([{"kind": "tailor", "id": k, "guidance": v}
             for k, v in sorted(changes["tailorable"].items())]
            + [{"kind": "add to", "id": k, "guidance": v}
               for k, v in sorted(changes["additions"].items())])


def _departure(departure) -> dict:
    return {"kind": departure.kind, "section": departure.section, "clause": departure.clause,
            "model_text": departure.model_text or None, "school_text": departure.school_text,
            "guidance": departure.guidance}


def as_json(data: dict) -> str:
    """The report as JSON, the same bytes for the same input."""
    return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def as_html(data: dict, schools: Sequence[Resolved]) -> str:
    """The report (report_data of schools) as a page of its own: each clause's text rendered
    as the policy pages render it, every other text escaped by the template's autoescape."""
    environment = jinja2.Environment(loader=jinja2.FileSystemLoader(str(packaged())),
                                     autoescape=True, undefined=jinja2.StrictUndefined,
                                     keep_trailing_newline=True)
    return environment.get_template(TEMPLATE).render(report=_page_view(data, schools))


def shown_texts(schools: Sequence[Resolved]) -> list[tuple[str, str, str, str]]:
    """The school's text of each departure as the page renders it (see school_markdown), by
    school, policy and clause: with report_data, all that as_html shows."""
    return sorted((r.school.id, d.policy, d.clause, school_markdown(r.school.data, d))
                  for r in schools for d in r.departures)


def _page_view(data: dict, schools: Sequence[Resolved]) -> dict:
    """A copy of data with each departure's texts as HTML beside them (model_html: None for
    an added clause)."""
    texts = {(school, policy, clause): text for school, policy, clause, text in
             shown_texts(schools)}
    memos, view = Memos(), copy.deepcopy(data)
    for policy in view["policies"]:
        for row in policy["schools"]:
            for departure in row["departures"]:
                model = departure["model_text"]
                departure["model_html"] = markdown_to_html(model, (), memos) if model else None
                departure["school_html"] = markdown_to_html(
                    texts[(row["school"], policy["policy"], departure["clause"])], (), memos)
    return view


def school_markdown(school_data: dict, departure: Departure) -> str:
    """The school's text of a departure as its site has it: the Markdown its school file
    gives, each value filled in escaped for Markdown (a value is text, never markup)."""
    adoption = school_data["policies"][departure.policy]
    if departure.kind == "tailored":
        text = adoption["tailored"][departure.clause]
    else:
        text = next(a["text"] for a in adoption["added"] if a["id"] == departure.clause)
    return values.fill(text, values.school_values(school_data))
