"""School values in clause text (policykit.trust.values): the pure functions, with inline
values."""

from __future__ import annotations

from policykit.core.text import markdown_to_html
from policykit.trust import values

SCHOOL = {"name": "St Ann's <School>", "urn": "123456", "headteacher": {"name": "A *Head*"},
          "dsl": {"name": "D [Lead](javascript:x)", "phone": "01632 960000"},
          "deputies": [{"name": "One", "phone": "1"}, {"name": "Two"}],
          "links": {"safeguarding": "https://s.example/sg"}, "values": {"lead": "%{dsl.name}"}}


def test_names_in_text_in_order():
    assert values.names_in("Tell %{dsl.name} (%{ dsl.phone }) or %{x}.") == [
        "dsl.name", "dsl.phone", "x"]
    assert values.names_in("{{ jinja }} {% tag %} {: .attr } 100%{ no") == []


def test_school_values_by_name():
    given = values.school_values(SCHOOL)
    assert given["school.name"] == "St Ann's <School>"
    assert given["dsl.phone"] == "01632 960000"
    assert given["deputies"] == "One (1); Two"
    assert given["links.safeguarding"] == "https://s.example/sg"
    assert given["lead"] == "%{dsl.name}"
    assert "school.address" not in given


def test_a_value_in_markdown_is_text_not_markup():
    filled = values.fill("Ask %{dsl.name} at %{school.name}.", values.school_values(SCHOOL))
    html = str(markdown_to_html(filled))
    assert html == ("<p>Ask D [Lead](javascript:x) at St Ann's &lt;School&gt;.</p>")


def test_a_value_is_filled_once_never_again():
    assert values.fill("%{lead}", values.school_values(SCHOOL), markdown=False) == "%{dsl.name}"


def test_a_value_not_given_stays_as_written():
    assert values.fill("Call %{school.phone}.", {}) == "Call %{school.phone}."


def test_filled_escapes_only_markdown_fields():
    data = {"title": "For %{school.name}", "text": "At %{school.name}",
            "note": "Note %{school.name}", "approved_by": "no %{ here"}
    out = values.filled(data, {"school.name": "A*B"})
    assert out == {"title": "For A\\*B", "text": "At A\\*B", "note": "Note A*B",
                   "approved_by": "no %{ here"}


def test_declared_names():
    declared = values.declared_names({"lead": "Lead"}, {"safeguarding"})
    assert {"dsl.name", "deputies", "links.safeguarding", "lead"} <= declared
    assert "links.other" not in declared and "caretaker.name" not in declared
