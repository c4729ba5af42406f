"""School values in clause text (pure): a clause names one as %{dsl.name}; each school's text
has it filled in, escaped for Markdown, and the model's own site shows it as written.

`%{` is neither Markdown nor Jinja (`{{`, `{%`), and is kept as written by both, so that a
value no school filled in stays visible on the model's pages."""

from __future__ import annotations

import re
from typing import Any, Iterator

from policykit.core.text import escape_markdown

MARKDOWN_FIELDS = frozenset({"text", "title"})  # written in Markdown: a value is escaped
PLACEHOLDER = re.compile(r"%\{([^{}\n]*)\}")
NAME = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*(\.[a-z0-9]+(-[a-z0-9]+)*)*$")
# The values every school file gives (or may give): those beyond them the trust declares.
PERSON = ("name", "phone", "email")
BUILT_IN = frozenset(
    ["school.name", "school.urn", "school.address", "school.phone", "school.email",
     "school.website", "deputies"]
    + [f"{who}.{field}" for who in ("headteacher", "dsl") for field in PERSON])


def names_in(text: str) -> list[str]:
    """The value names text mentions, in order."""
    return [match.group(1).strip() for match in PLACEHOLDER.finditer(text)]


def declared_names(extra: dict[str, str], linked: set[str]) -> frozenset[str]:
    """Every value a clause may name: the built-in ones, links.<id> for each linked policy and
    the trust's own (by their ids)."""
    return BUILT_IN | {f"links.{i}" for i in linked} | set(extra)


def school_values(data: dict) -> dict[str, str]:
    """The values a school file gives, by name."""
    found = {f"school.{key}": data[key] for key in ("name", "urn", "address", "phone", "email",
                                                    "website") if key in data}
    for who in ("headteacher", "dsl"):
        found.update({f"{who}.{k}": v for k, v in data[who].items()})
    deputies = data.get("deputies", [])
    if deputies:
        found["deputies"] = "; ".join(_person(d) for d in deputies)
    found.update({f"links.{k}": v for k, v in data.get("links", {}).items()})
    found.update(data.get("values", {}))
    return found


def where_given(name: str) -> str:
    """Where in a school file the value name is given, for a message: 'phone: under dsl:'."""
    head, _, rest = name.partition(".")
    if head == "school" and rest:
        return f"{rest}: at the top level"
    if head in ("headteacher", "dsl") and rest:
        return f"{rest}: under {head}:"
    if name == "deputies":
        return "deputies: (a list, each with name: and a phone: or email:)"
    if head == "links" and rest:
        return f"{rest}: https://… under links:"
    return f"{name}: … under values:"


def _person(person: dict) -> str:
    contact = ", ".join(person[k] for k in ("phone", "email") if k in person)
    return f"{person['name']} ({contact})" if contact else person["name"]


def fill(text: str, values: dict[str, str], markdown: bool = True) -> str:
    """text with every value named filled in: escaped to show as written in Markdown (a value
    is text, never markup), or as it is where the site escapes the field itself."""
    def one(match: re.Match) -> str:
        value = values.get(match.group(1).strip())
        if value is None:
            return match.group(0)  # no value: shown as written, as on the model's pages
        return str(escape_markdown(value)) if markdown else value
    return PLACEHOLDER.sub(one, text)


def strings(data: Any, path: tuple = ()) -> Iterator[tuple[tuple, str]]:
    """Every text in data with its path (keys and list indexes)."""
    if isinstance(data, str):
        yield path, data
    elif isinstance(data, dict):
        for key, value in data.items():
            yield from strings(value, path + (key,))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from strings(value, path + (index,))


def filled(data: Any, values: dict[str, str], key: str = "") -> Any:
    """A copy of data with every text's values filled in (Markdown-escaped in clause text)."""
    if isinstance(data, str):
        return fill(data, values, markdown=key in MARKDOWN_FIELDS) if "%{" in data else data
    if isinstance(data, dict):
        return {k: filled(v, values, k) for k, v in data.items()}
    if isinstance(data, list):
        return [filled(v, values, key) for v in data]
    return data
