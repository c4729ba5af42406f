"""A reworded contacts table keeps its cells' line breaks and lists in every comparison
(a finding of the governors' trial: the redlined cells ran their lines together, so a new
phone number read as one long number): the page and pack show line breaks, Markdown <br>,
plain text " / ", JSON "\\n" in the run's text."""

from __future__ import annotations

import json

from markdown_it import MarkdownIt

from policykit.cli.main import main
from test_check_errors import V, VERSION, make_project

TABLE = ("| Role | Contact |\\n|---|---|\\n| DSL | Mrs A Smith<br>01632 960123 |\\n"
         "| Deputies | Any of:<ul><li>Mr B Jones</li><li>Ms C Patel</li></ul> |")
REVISED = ("| Role | Contact |\\n|---|---|\\n| DSL | Mrs A Smith<br>01632 960999 |\\n"
           "| Deputies | Any of:<ul><li>Mr B Jones</li><li>Mr D Khan</li></ul> |")


def _version(number: str, table: str) -> str:
    return VERSION.replace('version: "1"', f'version: "{number}"').replace(
        "        text: Why.\n", f'        text: "{table}"\n')


def _diff(tmp_path, capsys, fmt: str) -> str:
    root = make_project(tmp_path, {V: _version("1", TABLE),
                                   "policy/demo/versions/2.yaml": _version("2", REVISED)})
    assert main(["--project", str(root), "diff", "demo", "1", "2", "--format", fmt]) == 0
    return capsys.readouterr().out


def test_the_html_comparison_shows_each_line_of_a_cell_with_its_edit(tmp_path, capsys):
    html = _diff(tmp_path, capsys, "html")
    assert ('<td>Mrs A Smith<br>01632 <del class="pk-del"><span class="pk-sr">[deleted: </span>'
            '960123<span class="pk-sr">]</span></del><ins class="pk-ins"><span class="pk-sr">'
            '[inserted: </span>960999<span class="pk-sr">]</span></ins></td>') in html
    assert "<td>Any of:<br>• Mr B Jones<br>• <del class=\"pk-del\">" in html


def test_the_markdown_comparison_keeps_the_cell_lines_inside_one_table_row(tmp_path, capsys):
    markdown = _diff(tmp_path, capsys, "markdown")
    html = MarkdownIt("commonmark").enable("table").render(markdown)
    assert "<td>Mrs A Smith<br>01632 <del>960123</del><ins>960999</ins></td>" in html


def test_the_text_and_json_comparisons_keep_the_line_breaks(tmp_path, capsys):
    text = _diff(tmp_path, capsys, "text")
    assert "| DSL | Mrs A Smith / 01632 [-960123-]{+960999+} |" in text
    payload = json.loads(_diff(tmp_path, capsys, "json"))
    [change] = [c for c in payload["changes"] if c["clause"] == "purpose"]
    cell = change["table"][1]["cells"][1]
    assert cell[0] == {"op": "equal", "text": "Mrs A Smith\n01632 "}
