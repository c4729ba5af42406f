"""policykit init, a minimal mkdocs.yml, and policies staff only read (training: none)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

from conftest import EPOCH, build, lock
from policykit.cli.main import main
from test_check_errors import VERSION, P, Q, V, make_project, run_check


def init(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(["init", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_init_makes_a_project_that_checks_and_builds_at_once(tmp_path, capsys):
    target = tmp_path / "st-marys"
    code, out, err = init(capsys, str(target), "--name", "St Mary's Primary")
    assert (code, err) == (0, "")
    assert "St Mary's Primary" in out and "policykit build" in out
    for name in ("mkdocs.yml", ".gitignore", ".pre-commit-config.yaml", "Dockerfile", ".dockerignore",
                 ".github/workflows/pages.yml", ".gitlab-ci.yml", "quizzes/pathways.yaml",
                 "policy/visitors/approved.lock", ".vscode/settings.json",
                 ".policykit/schemas/version.schema.json"):
        assert (target / name).is_file(), name
    organisation = yaml.safe_load((target / "policy/organisation.yaml").read_text("utf-8"))
    assert organisation["name"] == "St Mary's Primary"
    assert yaml.safe_load((target / "mkdocs.yml").read_text("utf-8"))["site_name"] == \
        "St Mary's Primary policies"
    assert run_check(target, capsys)[:2] == (0, [])
    site = build(target)
    home = (site / "index.html").read_text("utf-8")
    assert "St Mary's Primary" in home.replace("&#39;", "'")
    assert (site / "policies/visitors/index.html").is_file()
    assert (site / "training/visitors-induction/index.html").is_file()
    assert list((site / "pagefind").glob("pagefind-entry.json"))


def test_every_scaffolded_yaml_file_names_a_schema_that_init_wrote(tmp_path, capsys):
    assert init(capsys, str(tmp_path), "--name", "Oak Academy")[0] == 0
    settings = json.loads((tmp_path / ".vscode/settings.json").read_text("utf-8"))
    for schema, globs in settings["yaml.schemas"].items():
        assert (tmp_path / schema).is_file(), schema
        assert globs
    for path in sorted(tmp_path.glob("**/*.yaml")):
        if ".github" in path.parts or path.name == ".pre-commit-config.yaml":
            continue
        first = path.read_text("utf-8").splitlines()[0]
        assert first.startswith("# yaml-language-server: $schema="), path
        assert (path.parent / first.split("=", 1)[1]).is_file(), path


def test_hostile_names_stay_text(tmp_path, capsys):
    name = "Ysgol \"Gymraeg\" #1: <script>alert(1)</script> {{ x }} ŵ"
    assert init(capsys, str(tmp_path), "--name", name)[0] == 0
    organisation = yaml.safe_load((tmp_path / "policy/organisation.yaml").read_text("utf-8"))
    assert organisation["name"] == name
    site = build(tmp_path)
    for page in sorted(site.glob("**/*.html")):
        text = page.read_text("utf-8")
        assert "<script>alert(1)</script>" not in text, page
        assert '="Ysgol "Gymraeg' not in text, page  # Material puts site_name in attributes as is
    home = (site / "index.html").read_text("utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in home  # policykit's own pages: escaped
    site_name = yaml.safe_load((tmp_path / "mkdocs.yml").read_text("utf-8"))["site_name"]
    assert site_name == "Ysgol 'Gymraeg' #1: script alert(1) /script {{ x }} ŵ policies"


def test_init_refuses_to_overwrite_and_says_so(tmp_path, capsys):
    (tmp_path / "mkdocs.yml").write_text("site_name: mine\n", "utf-8")
    code, out, err = init(capsys, str(tmp_path), "--name", "X School")
    assert code == 2 and out == ""
    assert "mkdocs.yml" in err and "overwrites nothing" in err
    assert (tmp_path / "mkdocs.yml").read_text("utf-8") == "site_name: mine\n"
    assert not (tmp_path / "policy").exists()


def test_init_rejects_a_name_on_two_lines_or_empty(tmp_path, capsys):
    code, _, err = init(capsys, str(tmp_path), "--name", "One\nTwo")
    assert code == 2 and "control character" in err
    code, _, err = init(capsys, str(tmp_path), "--name", "  ")
    assert code == 2 and "empty" in err
    assert list(tmp_path.iterdir()) == []


def test_init_without_a_name_takes_the_folder_name(tmp_path, capsys, monkeypatch):
    target = tmp_path / "oak-hill_primary"
    target.mkdir()
    monkeypatch.chdir(target)
    assert init(capsys)[0] == 0
    organisation = yaml.safe_load((target / "policy/organisation.yaml").read_text("utf-8"))
    assert organisation["name"] == "Oak Hill Primary"
    monkeypatch.chdir(tmp_path)
    code, out, _ = init(capsys, "Ysgol y Graig")
    assert code == 0 and "cd 'Ysgol y Graig' && policykit build" in out
    organisation = yaml.safe_load((tmp_path / "Ysgol y Graig/policy/organisation.yaml")
                                  .read_text("utf-8"))
    assert organisation["name"] == "Ysgol y Graig"


MINIMAL = "site_name: Minimal\ntheme: material\nplugins: [policykit]\n"


def test_a_minimal_mkdocs_yml_gives_the_full_site(tmp_path, capsys):
    assert init(capsys, str(tmp_path), "--name", "Elm School")[0] == 0
    (tmp_path / "mkdocs.yml").write_text(MINIMAL, "utf-8")
    site = build(tmp_path)
    page = (site / "policies/visitors/index.html").read_text("utf-8")
    for asset in ("assets/policykit.css", "assets/policykit.js", "assets/search.js"):
        assert asset in page and (site / asset).is_file(), asset
    quiz = (site / "training/visitors-induction/index.html").read_text("utf-8")
    assert "assets/quiz.js" in quiz and "assets/quiz.js" not in page  # quiz pages only
    assert (site / "assets/quiz.js").is_file()
    assert "fonts.googleapis" not in page and "fonts.gstatic" not in page
    assert '<h2 id="arriving">2 When a visitor arrives</h2>' in page  # attr_list
    assert "{ #arriving }" not in page
    assert not (tmp_path / "docs").exists()


def test_a_plain_mkdocs_build_works_on_a_fresh_clone(tmp_path, capsys):
    project = tmp_path / "project"
    assert init(capsys, str(project), "--name", "Ash School")[0] == 0
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid"]
    subprocess.run([*git, "init", "-q", str(project)], check=True)
    subprocess.run([*git, "-C", str(project), "add", "-A"], check=True)
    subprocess.run([*git, "-C", str(project), "commit", "-qm", "start"], check=True)
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(project), str(clone)], check=True)
    assert not (clone / "site").exists()
    mkdocs = Path(sys.executable).with_name("mkdocs")
    result = subprocess.run([str(mkdocs), "build"], cwd=clone, capture_output=True, text=True,
                            env={**os.environ, "SOURCE_DATE_EPOCH": EPOCH})
    assert result.returncode == 0, result.stderr
    assert (clone / "site/policies/visitors/index.html").is_file()



def approved_without_quiz(root: Path, policy: str | None = None) -> Path:
    """The small valid project with its version approved (and locked) and no quiz."""
    files = {V: VERSION.replace("status: draft", "status: approved")}
    root = make_project(root, {**files, P: policy} if policy else files)
    lock(root, "demo", "1")
    (root / Q).unlink()
    return root


def test_training_none_lets_a_policy_be_published_before_its_quiz(tmp_path, capsys):
    policy = ("id: demo\ntitle: Demo Policy\nowner: Headteacher\nlinked_policies: [safeguarding]\n"
              "training: none\ntraining_reason: Staff read it; the office runs admissions.\n")
    root = approved_without_quiz(tmp_path, policy)
    assert run_check(root, capsys)[:2] == (0, [])


def test_without_training_none_the_same_policy_fails_coverage(tmp_path, capsys):
    code, err, _ = run_check(approved_without_quiz(tmp_path), capsys)
    assert code == 1 and any("is not covered by any quiz question" in e for e in err)


def test_training_none_needs_a_reason(tmp_path, capsys):
    policy = "id: demo\ntitle: Demo Policy\nowner: Headteacher\ntraining: none\n"
    code, err, _ = run_check(make_project(tmp_path, {P: policy}), capsys)
    assert code == 1
    # located at the value that asks for it, saying what to write (not "1:1: missing key")
    assert any(e.startswith(f"{P}:4:11: 'training' \"none\" needs the key 'training_reason'")
               and "why staff need no quiz" in e for e in err), err
    policy = "id: demo\ntitle: Demo Policy\nowner: Headteacher\ntraining: nope\n"
    code, err, _ = run_check(make_project(tmp_path, {P: policy}), capsys)
    assert code == 1 and any(e.startswith(f"{P}:4:11:") and "training" in e for e in err), err


def test_coverage_page_shows_a_read_only_policy_with_its_reason(tmp_path, capsys):
    assert init(capsys, str(tmp_path), "--name", "Elm School")[0] == 0
    path = tmp_path / "policy/visitors/policy.yaml"
    path.write_text(path.read_text("utf-8") + "training: none\n"
                    "training_reason: Reception staff brief every visitor.\n", "utf-8")
    shutil.rmtree(tmp_path / "quizzes")
    site = build(tmp_path)
    coverage = (site / "training/coverage/index.html").read_text("utf-8")
    assert "read only (training: none): Reception staff brief every visitor." in coverage
    assert "Not covered" not in coverage


def test_the_repository_keeps_the_docs_folder_that_builds_write():
    from conftest import ROOT
    from policykit.engine.build import GITIGNORE

    assert (ROOT / "docs_generated/.gitignore").read_text("utf-8") == GITIGNORE
    assert "docs_generated" not in (ROOT / ".gitignore").read_text("utf-8")


def test_a_build_brings_the_projects_schemas_up_to_the_installed_ones(tmp_path, capsys):
    assert init(capsys, str(tmp_path), "--name", "Elm School")[0] == 0
    copy = tmp_path / ".policykit/schemas/policy.schema.json"
    installed = copy.read_text("utf-8")
    copy.write_text('{"stale": true}\n', "utf-8")
    (tmp_path / ".policykit/schemas/version.schema.json").unlink()
    build(tmp_path)
    assert copy.read_text("utf-8") == installed
    assert (tmp_path / ".policykit/schemas/version.schema.json").is_file()


def test_a_project_without_the_schemas_folder_gets_none(scratch):
    build(scratch)
    assert not (scratch / ".policykit").exists()


def test_the_example_policy_shows_how_to_publish_without_a_quiz(tmp_path, capsys):
    """A newcomer follows the comment in the scaffolded policy.yaml: no quiz needed."""
    assert init(capsys, str(tmp_path), "--name", "Ash School")[0] == 0
    path = tmp_path / "policy/visitors/policy.yaml"
    lines = path.read_text("utf-8").splitlines(keepends=True)
    uncommented = [line[2:] if line.startswith(("# training: ", "# training_reason: ")) else line
                   for line in lines]
    assert uncommented != lines, "the example says nothing about training: none"
    path.write_text("".join(uncommented), "utf-8")
    shutil.rmtree(tmp_path / "quizzes")
    assert run_check(tmp_path, capsys)[:2] == (0, [])
    coverage = (build(tmp_path) / "training/coverage/index.html").read_text("utf-8")
    assert "read only (training: none): Reception staff brief every visitor" in coverage


def test_mkdocs_does_not_list_the_pages_left_out_of_the_nav_on_purpose(tmp_path, capsys):
    """`policykit serve` logs at info level: MkDocs listed every version and print page as
    "not included in the nav", which reads like a fault. mkdocs.yml can still ask for it."""
    assert init(capsys, str(tmp_path), "--name", "Ash School")[0] == 0
    mkdocs = [str(Path(sys.executable).with_name("mkdocs")), "build"]
    env = {**os.environ, "SOURCE_DATE_EPOCH": EPOCH}
    result = subprocess.run(mkdocs, cwd=tmp_path, capture_output=True, text=True, env=env)
    assert result.returncode == 0, result.stderr
    assert "Documentation built" in result.stderr  # info level is shown
    assert "not included in the \"nav\"" not in result.stderr, result.stderr
    config = tmp_path / "mkdocs.yml"
    config.write_text(config.read_text("utf-8") + "validation:\n  nav:\n    omitted_files: warn\n",
                      "utf-8")
    result = subprocess.run(mkdocs, cwd=tmp_path, capture_output=True, text=True, env=env)
    assert "WARNING -  The following pages exist in the docs directory" in result.stderr


def test_a_broken_template_override_is_a_located_error_not_a_traceback(tmp_path, capsys):
    """A newcomer's first docs_templates/home.md.j2: a wrong name, then a syntax slip, then
    the fix, each in a new build. The site already built is kept."""
    assert init(capsys, str(tmp_path), "--name", "Ash School")[0] == 0
    assert main(["--project", str(tmp_path), "build"]) == 0
    capsys.readouterr()
    home = (tmp_path / "site/index.html").read_bytes()
    own = tmp_path / "docs_templates/home.md.j2"
    own.parent.mkdir()
    cases = [("# Welcome\n\nto {{ organisation.name.title.upper() }}\n", ":3:1: template error: "),
             ("# Welcome\n\n{{ broken \n", ":3:1: template error: unexpected end of template")]
    for text, expected in cases:
        own.write_text(text, "utf-8")
        code = main(["--project", str(tmp_path), "build"])
        err = capsys.readouterr().err
        assert code == 1 and "Traceback" not in err, err
        assert f"docs_templates/home.md.j2{expected}" in err, err
        assert "delete it to use policykit's own" in err, err
        shipped = err.split("policykit's own, with the names it can use, is ", 1)[1].split("),")[0]
        assert Path(shipped).name == "home.md.j2" and Path(shipped).is_file(), err
        assert (tmp_path / "site/index.html").read_bytes() == home
    own.write_text("# Welcome to our policies\n", "utf-8")
    assert main(["--project", str(tmp_path), "build"]) == 0
    assert "Welcome to our policies" in (tmp_path / "site/index.html").read_text("utf-8")


def test_a_broken_theme_override_is_a_located_error_in_build_and_serve(tmp_path, capsys):
    """docs_templates/overrides/main.html (Material's own override): MkDocs renders it, and
    its Jinja errors came out as a traceback from both `build` and `serve`."""
    assert init(capsys, str(tmp_path), "--name", "Ash School")[0] == 0
    assert main(["--project", str(tmp_path), "build"]) == 0
    capsys.readouterr()
    home = (tmp_path / "site/index.html").read_bytes()
    override = tmp_path / "docs_templates/overrides/main.html"
    override.parent.mkdir(parents=True)
    cases = [("{% extends 'base.html' %}\n{% block content %}{{ broken( }}{% endblock %}\n",
              ":2:1: template error: unexpected '}'"),
             ("{% extends 'base.html' %}\n\n{% block content %}{{ page.nothing.deeper }}"
              "{% endblock %}\n", ":3:1: template error: ")]
    from test_serve import free_port  # serve refuses port 0: it could not say where it serves

    serve = [sys.executable, "-m", "policykit", "--project", str(tmp_path), "serve", "--port",
             str(free_port())]
    for text, expected in cases:
        override.write_text(text, "utf-8")
        code = main(["--project", str(tmp_path), "build"])
        err = capsys.readouterr().err
        # serve in a process of its own, which a wrongly successful first build cannot hold
        served = subprocess.run(serve, capture_output=True, text=True, timeout=120,
                                env={**os.environ, "SOURCE_DATE_EPOCH": EPOCH})
        for code, err, after in ((code, err, "site/ is unchanged"),
                                 (served.returncode, served.stderr, "nothing served")):
            assert code == 1 and "Traceback" not in err, err
            assert f"docs_templates/overrides/main.html{expected}" in err, err
            assert after in err, err
        assert (tmp_path / "site/index.html").read_bytes() == home
    # the fix: the project's override is used, with no custom_dir in mkdocs.yml
    override.write_text("{% extends 'base.html' %}\n{% block content %}<p>Ash-made</p>"
                        "{{ super() }}{% endblock %}\n", "utf-8")
    assert main(["--project", str(tmp_path), "build"]) == 0
    assert "<p>Ash-made</p>" in (tmp_path / "site/index.html").read_text("utf-8")
    override.unlink()
    assert main(["--project", str(tmp_path), "build"]) == 0
    assert "Ash-made" not in (tmp_path / "site/index.html").read_text("utf-8")


def test_a_projects_own_stylesheet_comes_after_policykits_so_it_wins(tmp_path, capsys):
    assert init(capsys, str(tmp_path), "--name", "Ash School")[0] == 0
    (tmp_path / "docs_templates/assets").mkdir(parents=True)
    (tmp_path / "docs_templates/assets/school.css").write_text(".md-header{background:#063}\n")
    config = tmp_path / "mkdocs.yml"
    config.write_text(config.read_text("utf-8") + "extra_css:\n  - assets/school.css\n", "utf-8")
    home = (build(tmp_path) / "index.html").read_text("utf-8")
    assert home.count("assets/policykit.css") == 1
    assert home.index("assets/policykit.css") < home.index("assets/school.css")


def test_pdf_without_pango_says_what_to_install(tmp_path, capsys):
    """WeasyPrint raises OSError on import when Pango is missing (a fresh Windows or macOS
    machine): a fake weasyprint that does just that stands in for the missing library."""
    assert init(capsys, str(tmp_path / "p"), "--name", "Ash School")[0] == 0
    fake = tmp_path / "fake/weasyprint"
    fake.mkdir(parents=True)
    (fake / "__init__.py").write_text(
        "raise OSError(\"cannot load library 'libgobject-2.0-0': libgobject-2.0-0: cannot open "
        "shared object file: No such file or directory.  Additionally, ctypes.util.find_library()"
        " did not manage to locate a library called 'libgobject-2.0-0'\")\n", "utf-8")
    policykit = Path(sys.executable).with_name("policykit")
    env = {**os.environ, "SOURCE_DATE_EPOCH": EPOCH, "PYTHONPATH": str(tmp_path / "fake")}
    result = subprocess.run([str(policykit), "build", "--pdf"], cwd=tmp_path / "p",
                            capture_output=True, text=True, env=env)
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert "cannot load Pango (cannot load library 'libgobject-2.0-0'" in result.stderr
    assert "install Pango (Debian or Ubuntu: apt-get install libpango-1.0-0" in result.stderr
    assert "or build without --pdf" in result.stderr
    assert not (tmp_path / "p/site").exists()


def test_the_new_projects_example_shows_a_whole_approval(tmp_path, capsys, monkeypatch):
    """A newcomer's first page shows who approved the example and when it is due for review
    (the day init ran, a year later), not "approval details not recorded" or "not set"."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1788220800")  # 2026-09-01
    assert init(capsys, str(tmp_path), "--name", "Elm School")[0] == 0
    site = build(tmp_path)
    page = (site / "policies/visitors/index.html").read_text("utf-8")
    assert "approval details not recorded" not in page and "not set" not in page
    assert "1 September 2026, by Full Governing Body (example)" in page
    assert "1 September 2027" in page
