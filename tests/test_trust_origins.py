"""Where a line of a school's resolved JSON file came from (pure): every line of
json.dumps(indent=1), the way the resolved files are written, maps to its data path."""

from __future__ import annotations

import json

from policykit.trust.origins import line_paths


def test_every_line_of_the_written_json_has_its_data_path():
    data = {"sections": [{"id": "intro", "clauses": [{"id": "purpose", "text": "a\nb"}],
                          "sections": []}], "note": "", "empty": {}}
    text = json.dumps(data, ensure_ascii=False, indent=1)
    paths = line_paths(data)
    assert len(paths) == len(text.split("\n"))
    for line, path in zip(text.split("\n"), paths):
        key = line.strip().split(":", 1)[0].strip('"')
        if path and isinstance(path[-1], str) and ":" in line:
            assert key == path[-1], (line, path)
    assert paths[text.split("\n").index('     "text": "a\\nb"')] == (
        "sections", 0, "clauses", 0, "text")
