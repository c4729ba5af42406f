"""`policykit serve` never gets stuck: a rebuild that fails outright (a slip in a theme
override, in mkdocs.yml, an unknown theme), a deleted docs folder, an edit that keeps its
file's size and modification time: the server answers every request at once with the last
good pages and the error in the banner, and recovers by itself. Each test runs the real
command in a subprocess and fetches pages with a timeout on every request."""

from __future__ import annotations

import contextlib
import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Iterator


from test_serve import free_port

PAGE = "policies/social-media/2024.1/"


def fetch(url: str) -> str:
    """The page, or AssertionError when the server does not answer within 5 s."""
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.read().decode("utf-8")
    except TimeoutError:
        raise AssertionError(f"the server did not answer {url} within 5 s (stuck)") from None


def wait_for(url: str, check, seconds: float = 60) -> str:
    """The page once check(page) is true; fails when the server hangs or it never is."""
    deadline = time.monotonic() + seconds
    body = ""
    while time.monotonic() < deadline:
        try:
            body = fetch(url)
            if check(body):
                return body
        except (urllib.error.URLError, ConnectionError):
            pass
        time.sleep(0.3)
    raise AssertionError(f"not as expected at {url} within {seconds} s; last served:\n"
                         f"{banner_text(body) or body[:300]}")


def banner_text(page: str) -> str:
    """The text of the problems banner on a served page ('' when there is none)."""
    found = re.search(r'<div id="policykit-problems".*?</div>', page, re.DOTALL)
    return re.sub(r"<[^>]+>", " ", found.group()) if found else ""


@contextlib.contextmanager
def serving(root: Path) -> Iterator[tuple[str, Path]]:
    """`policykit serve` on root on a free port: its base URL and the file of its output."""
    port = free_port()
    log = root.parent / "serve.log"
    with log.open("wb") as out:
        server = subprocess.Popen([sys.executable, "-m", "policykit", "--project", str(root),
                                   "serve", "--port", str(port)], stdout=out,
                                  stderr=subprocess.STDOUT)
        try:
            yield f"http://127.0.0.1:{port}/", log
        finally:
            server.terminate()
            server.wait(timeout=20)


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text("utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), "utf-8")


def shows_fault(*words: str):
    """A check: the page is the last good one, with a banner that names every word."""
    return lambda page: ("Decline student initiated" in page
                         and all(word in banner_text(page) for word in words))


def no_banner(page: str) -> bool:
    return "Decline student initiated" in page and not banner_text(page)


# A school's own override of Material's main.html (policykit ships none since it left
# Material's tooltips off): {{ super() }} on line 7.
OVERRIDE = """{#- A school's override of Material's main.html: an extra line in <head>,
    kept small so that Material's own template does the rest.
    (Three lines of comment, as a school might write,
    before the template itself.) -#}
{% extends "base.html" %}
{% block extrahead %}
  {{ super() }}
  <meta name="school" content="Example school">
{% endblock %}
"""


def _override(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(OVERRIDE, "utf-8")
    return path


def test_serve_recovers_from_theme_and_configuration_faults(scratch):
    main = _override(scratch / "docs_templates/overrides/main.html")
    config = scratch / "mkdocs.yml"
    good_main, good_config = main.read_text("utf-8"), config.read_text("utf-8")
    with serving(scratch) as (base, log):
        url = base + PAGE
        wait_for(url, no_banner)
        faults = [
            (main, good_main.replace("{% endblock %}", "{% endblok %}"),
             ("docs_templates/overrides/main.html:", "template error")),
            (main, good_main.replace("{{ super() }}", "{{ super() }}{{ 1/0 }}"),
             ("docs_templates/overrides/main.html:7:1", "ZeroDivisionError")),
            (main, good_main.replace("{{ super() }}", "{{ super() }}{{ no_such_name.x }}"),
             ("docs_templates/overrides/main.html:7:1", "no_such_name")),
            (config, good_config.replace("site_dir: site", "site_dir: [site", 1),
             ("mkdocs.yml:",)),
            (config, good_config.replace("name: material", "name: materal", 1),
             ("mkdocs.yml", "theme", "materal")),
        ]
        for path, text, words in faults:
            path.write_text(text, "utf-8")
            wait_for(url, shows_fault(*words))
            # every other page is answered at once, with the banner too
            assert banner_text(fetch(base + "training/"))
            path.write_text(good_main if path == main else good_config, "utf-8")
            wait_for(url, no_banner)
        output = log.read_text("utf-8", "replace")
    assert "Traceback" not in output and "appear stuck" not in output, output[-3000:]
    assert re.search(r"docs_templates/overrides/main\.html:7:1: template error: "
                     r"ZeroDivisionError", output), output[-3000:]


def test_serve_goes_on_after_the_docs_folder_is_deleted(scratch):
    import shutil

    version = scratch / "policy/social-media/versions/2024.1.yaml"
    with serving(scratch) as (base, log):
        url = base + PAGE
        wait_for(url, no_banner)
        shutil.rmtree(scratch / "docs_generated")  # as `git clean -fdx` does
        edit(version, "Privacy settings can shift", "Privacy settings can drift")
        wait_for(url, lambda page: "can drift" in page and not banner_text(page))
        assert (scratch / "docs_generated/index.md").is_file()
    assert "Traceback" not in log.read_text("utf-8", "replace")


def test_serve_shows_an_edit_that_kept_the_size_and_modification_time(scratch):
    version = scratch / "policy/social-media/versions/2024.1.yaml"
    with serving(scratch) as (base, _):
        url = base + PAGE
        wait_for(url, no_banner)
        before = os.stat(version)
        edit(version, "Privacy settings can shift", "Privacy settings can drift")
        os.utime(version, ns=(before.st_atime_ns, before.st_mtime_ns))
        after = os.stat(version)
        assert (after.st_size, after.st_mtime_ns) == (before.st_size, before.st_mtime_ns)
        wait_for(url, lambda page: "can drift" in page, 30)


def test_serve_on_a_port_in_use_says_so(scratch):
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run([sys.executable, "-m", "policykit", "--project", str(scratch),
                                 "serve", "--port", str(port)], capture_output=True, text=True,
                                timeout=120)
    assert result.returncode == 2, result.stderr
    assert f"port {port} on 127.0.0.1 is in use" in result.stderr
    assert "Traceback" not in result.stderr


def test_serve_refuses_a_port_that_cannot_be(scratch):
    for port in ("99999", "-1", "0", "http"):
        result = subprocess.run([sys.executable, "-m", "policykit", "--project", str(scratch),
                                 "serve", "--port", port], capture_output=True, text=True,
                                timeout=60)
        assert result.returncode == 2, (port, result.stderr)
        assert f"'{port}' is not a port: give a number from 1 to 65535" in result.stderr
        assert "Traceback" not in result.stderr


def _build(root: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "policykit", "--project", str(root), "build"],
                          capture_output=True, text=True, timeout=300,
                          env={**os.environ, "SOURCE_DATE_EPOCH": "1767225600"})


def test_build_names_the_override_whatever_its_fault(scratch, tmp_path):
    """An override's own error ({{ 1/0 }}, a TypeError), one that is not UTF-8, or one that is a
    link to a file outside the project: each is reported with the override's path in the
    project (and line), exit 1, no traceback, and the site built before is kept."""
    main = _override(scratch / "docs_templates/overrides/main.html")
    good = main.read_text("utf-8")
    assert _build(scratch).returncode == 0
    home = (scratch / "site/index.html").read_bytes()
    outside = tmp_path / "elsewhere/main.html"
    outside.parent.mkdir()
    byte = len(good[:good.index("{{ super() }}")].encode("utf-8")) + len("{{ super() }}") + 1
    faults = {
        "{{ 1/0 }}": ("docs_templates/overrides/main.html:7:1: template error: "
                      "ZeroDivisionError: division by zero"),
        '{{ "a" + 1 }}': "docs_templates/overrides/main.html:7:1: template error: TypeError",
        "\xff": ("docs_templates/overrides/main.html: the theme template is not UTF-8 text (its "
                 f"byte {byte} is not UTF-8) — save the file as UTF-8"),
        "link {{ nope.x }}": ("docs_templates/overrides/main.html:7:1: template error: "
                              "'nope' is undefined"),
    }
    for fault, expected in faults.items():
        text = good.replace("{{ super() }}", "{{ super() }}" + fault.removeprefix("link "))
        main.unlink()
        if fault == "\xff":
            main.write_bytes(text.encode("latin-1"))
        elif fault.startswith("link "):
            outside.write_text(text, "utf-8")
            main.symlink_to(outside)
        else:
            main.write_text(text, "utf-8")
        result = _build(scratch)
        assert result.returncode == 1, (fault, result.stderr)
        assert expected in result.stderr, (fault, result.stderr)
        assert "Traceback" not in result.stderr and "fault in policykit" not in result.stderr
        assert (scratch / "site/index.html").read_bytes() == home


def test_serve_has_the_built_sites_policy_and_live_reload_still_works(scratch, browser):
    """Under serve, site_name is shown as text (Material puts it raw into an attribute) and
    copyright's HTML runs no script (the page's Content Security Policy, as built); the
    server's live-reload script alone is allowed, and the open page reloads on an edit."""
    config = scratch / "mkdocs.yml"
    edit(config, "site_name: Newbury School policies",
         "site_name: 'Newbury \"><img src=x onerror=\"window.pwnedName=1\">'")
    edit(config, "copyright: Newbury School",
         "copyright: '<img src=x onerror=\"window.pwnedCopyright=1\">Newbury School'")
    version = scratch / "policy/social-media/versions/2024.1.yaml"
    with serving(scratch) as (base, _):
        url = base + PAGE
        wait_for(url, no_banner)
        page = browser.new_page()
        try:
            page.goto(url)
            page.wait_for_load_state("load")
            assert page.locator('meta[http-equiv="Content-Security-Policy"]').count() == 1
            assert page.evaluate("[window.pwnedName, window.pwnedCopyright]") == [None, None]
            assert '"><img src=x' in page.locator(".md-header__topic").first.inner_text()
            edit(version, "Privacy settings can shift", "Privacy settings can drift")
            # reloaded by itself (a locator: the policy refuses Playwright's eval)
            page.get_by_text("Privacy settings can drift").first.wait_for(timeout=60_000)
        finally:
            page.close()


def test_only_the_script_at_the_live_reload_mark_is_allowed():
    from policykit.site.csp import add_policy, allow_live_reload, mark_live_reload, script_hash

    built = mark_live_reload(add_policy("<html><head></head><body><p>text</p></body></html>"))
    elsewhere = built.replace("<p>text</p>", "<p>text</p><script>evil()</script>")
    assert allow_live_reload(elsewhere) == elsewhere  # not at the mark: nothing allowed
    at = built.rindex("</body>")
    served = built[:at] + "<script>reload()</script>" + built[at:]
    allowed = allow_live_reload(served.replace("<p>text</p>", "<script>evil()</script>"))
    assert allowed.count(script_hash("reload()")) == 1 and script_hash("evil()") not in allowed
    policy = allowed[allowed.index('content="'):allowed.index('">')]
    assert script_hash("reload()") in policy


def test_serve_watches_a_custom_dir_of_the_projects_own(scratch):
    """A custom_dir outside docs_templates/ (as `mkdocs.yml` may name) is watched too: a slip
    there is shown, and its fix is seen."""
    import shutil

    _override(scratch / "docs_templates/overrides/main.html")
    shutil.move(scratch / "docs_templates/overrides", scratch / "theme")
    edit(scratch / "mkdocs.yml", "custom_dir: docs_templates/overrides", "custom_dir: theme")
    main = scratch / "theme/main.html"
    good = main.read_text("utf-8")
    with serving(scratch) as (base, _):
        url = base + PAGE
        wait_for(url, no_banner)
        main.write_text(good.replace("{{ super() }}", "{{ super() }}{{ 1/0 }}"), "utf-8")
        wait_for(url, shows_fault("theme/main.html:7:1", "ZeroDivisionError"))
        main.write_text(good, "utf-8")
        wait_for(url, no_banner)


def test_a_built_page_edited_in_place_is_repaired_by_the_next_build(scratch):
    from conftest import build

    site = build(scratch)
    page = site / "policies/social-media/2024.1/index.html"
    good = page.read_bytes()
    before = os.stat(page)
    with page.open("r+b") as stream:  # in place: same file, same size
        stream.write(good.replace(b"Decline student initiated", b"Accept student initiated!", 1))
    os.utime(page, ns=(before.st_atime_ns, before.st_mtime_ns))
    build(scratch)
    assert page.read_bytes() == good


def test_site_name_is_text_in_every_place_material_puts_it(scratch):
    """Material writes site_name raw into the logo's aria-label (and escaped into its title):
    the plugin escapes it once, so that every place shows it as written."""
    from conftest import build

    edit(scratch / "mkdocs.yml", "site_name: Newbury School policies",
         "site_name: 'Smith & \"Jones\"><img src=x onerror=alert(1)>'")
    home = (build(scratch) / "index.html").read_text("utf-8")
    shown = "Smith &amp; &#34;Jones&#34;&gt;&lt;img src=x onerror=alert(1)&gt;"
    assert f'aria-label="{shown}"' in home and f'title="{shown}"' in home
    assert f"<title>Policies - {shown}</title>" in home
    assert "<img src=x" not in home
