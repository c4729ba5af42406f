"""Issue 23: serve's red banner lists the errors first, the warnings summarised after them as
`policykit check` prints them (the one error was item 865 of 879)."""

from __future__ import annotations

import html
import re
import subprocess
import sys

import pytest

from test_serve import fetch_until, free_port

pytestmark = pytest.mark.slow  # it runs a server

DRAFT = "policy/social-media/versions/2024.1.yaml"
QUIZ = "quizzes/social-media-induction.yaml"


def test_the_one_error_comes_first_and_the_warnings_are_summarised(scratch):
    draft = scratch / DRAFT
    text, guessed = re.subn(r"(\n( *)kind: (\w+)\n)", r"\1\2kind_guessed: true\n",
                            draft.read_text("utf-8"))
    assert guessed == 56  # a warning each, as after an import
    draft.write_text(text, "utf-8")
    quiz = scratch / QUIZ  # the one error, in a file listed after the policy's
    quiz.write_text(quiz.read_text("utf-8").replace("pass_mark: ", "pass_mark: x", 1), "utf-8")
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "policykit", "--project", str(scratch),
                               "serve", "--port", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        page = fetch_until(f"http://127.0.0.1:{port}/", "policykit-problems", 90)
    finally:
        server.terminate()
        server.wait(timeout=10)
    banner = page[page.index('<div id="policykit-problems"'):]
    banner = banner[:banner.index("</div>")]
    heading = html.unescape(re.search(r"<strong>(.*?)</strong>", banner)[1])
    assert heading == ("policykit: 1 problem; showing the last good pages until it is fixed; "
                       "56 warnings after it")
    items = [html.unescape(re.sub(r"<br>", "\n", item))
             for item in re.findall(r"<li>(.*?)</li>", banner, re.S)]
    assert items[0].startswith(f"{QUIZ}:") and "pass_mark" in items[0]
    assert len(items) == 2  # the error, then one line for the 56 warnings of one kind
    said = items[1].split("\n")
    assert said[0] == ("warning (56 like this one): clause 'purpose': kind 'information' was "
                       "guessed from its wording by policykit import — confirm or correct the "
                       "kind, then remove 'kind_guessed: true' [kind.guessed]")
    assert said[1].startswith(f"{DRAFT}:")
    assert said[-1] == "… and 53 more (policykit check --verbose lists every one)"
    assert len(said) == 5
