"""The `jobs` setting: pages are rendered on up to `jobs` processes and PDFs printed on up to
`jobs` workers; a failure in a worker reaches the build as itself, located, with the worker's
traceback."""

from __future__ import annotations

import multiprocessing
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import pytest

from conftest import EPOCH, copy_project
from policykit.engine import write
from policykit.engine.build import DOCS_FOLDER, generate, pdf_jobs, load_and_check
from policykit.engine.pdf import PdfJob, render_pdfs
from policykit.engine.session import BuildSession, Settings
from policykit.mkdocs.theme_errors import theme_problem
from policykit.site.templates import packaged

pytestmark = pytest.mark.slow  # processes of their own, PDFs


@dataclass(frozen=True)
class Made:
    """A part of pages made by a test: it renders by calling make()."""

    name: str
    make: Callable[[], dict]
    cost: int = 10_000  # enough work to share out (write.PARALLEL_COST)
    key: str | None = None

    @property
    def render(self) -> Callable[[], dict]:
        return self.make


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_three_jobs_render_on_three_processes(tmp_path):
    """Each of three parts waits until all three are being rendered at once: only three
    processes (this one and two workers) can get past the barrier."""
    barrier = multiprocessing.get_context("fork").Barrier(3, timeout=60)

    def pid_page(name: str) -> Made:
        def render() -> dict:
            barrier.wait()
            return {f"{name}.txt": str(os.getpid())}
        return Made(name, render)

    session = BuildSession(tmp_path / "project", Settings(jobs=3))
    folder = tmp_path / "docs"
    written = write.write_parts(folder, [pid_page("a"), pid_page("b"), pid_page("c")], session)
    assert written == ["a.txt", "b.txt", "c.txt"]
    pids = {path.read_text("utf-8") for path in folder.iterdir()}
    assert len(pids) == 3 and str(os.getpid()) in pids


def test_one_job_renders_here(tmp_path):
    session = BuildSession(tmp_path / "project", Settings(jobs=1))
    parts = [Made(name, lambda name=name: {f"{name}.txt": str(os.getpid())}) for name in "abc"]
    write.write_parts(tmp_path / "docs", parts, session)
    assert {p.read_text("utf-8") for p in (tmp_path / "docs").iterdir()} == {str(os.getpid())}


def test_a_site_rendered_on_three_processes_is_the_one_rendered_on_one(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    monkeypatch.setattr(write, "PARALLEL_COST", 0)  # the example is small: share it out anyway
    one, three = copy_project(tmp_path / "one"), copy_project(tmp_path / "three")
    generate(one, BuildSession(one, Settings(jobs=1)))
    _, written = generate(three, BuildSession(three, Settings(jobs=3)))
    assert tree(one / DOCS_FOLDER) == tree(three / DOCS_FOLDER)
    assert sorted(written) == sorted(tree(three / DOCS_FOLDER))


def failing_quiz_template(root: Path) -> Path:
    """The project's own quiz page template, which divides by zero on its second line."""
    own = root / "docs_templates/quiz.md.j2"
    own.parent.mkdir(exist_ok=True)
    text = (packaged() / "quiz.md.j2").read_text("utf-8")
    first, rest = text.split("\n", 1)
    own.write_text(f"{first}\n{{{{ 1/0 }}}}\n{rest}", "utf-8")
    return own


def build_error(root: Path, jobs: int) -> BaseException:
    with pytest.raises(ZeroDivisionError) as caught:
        generate(root, BuildSession(root, Settings(jobs=jobs)))
    return caught.value


def test_a_template_failing_in_a_worker_is_located_as_on_one_process(tmp_path, monkeypatch):
    """The quiz pages are the second largest part: with three jobs a worker renders them."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    monkeypatch.setattr(write, "PARALLEL_COST", 0)
    one, three = copy_project(tmp_path / "one"), copy_project(tmp_path / "three")
    failing_quiz_template(one), failing_quiz_template(three)
    here, there = build_error(one, 1), build_error(three, 3)
    expected = ("docs_templates/quiz.md.j2:2:1: template error: ZeroDivisionError: division "
                "by zero")
    assert str(theme_problem(here, one)).startswith(expected)
    assert str(theme_problem(there, three)) == str(theme_problem(here, one))
    assert here.__cause__ is None  # raised here
    worker_traceback = str(there.__cause__)  # what the worker's traceback said
    assert "quiz.md.j2\", line 2" in worker_traceback and "_worker_share" in worker_traceback


def test_a_fault_in_a_worker_keeps_the_workers_traceback(tmp_path):
    parent = os.getpid()

    def broken_in_a_worker() -> dict:
        if os.getpid() != parent:
            raise ValueError("made in a worker")
        return {"here.txt": "fine"}

    session = BuildSession(tmp_path / "project", Settings(jobs=2))
    parts = [Made("here", lambda: {"here.txt": "fine"}), Made("there", broken_in_a_worker)]
    with pytest.raises(ValueError, match="made in a worker") as caught:
        write.write_parts(tmp_path / "docs", parts, session)
    assert "in broken_in_a_worker" in str(caught.value.__cause__)


def test_of_several_failures_the_first_part_s_is_raised_as_on_one_process(tmp_path):
    """Part 2 (the larger) goes to the first worker, part 1 to the second: part 1's failure
    is the one raised, as when the parts are rendered in order on one process."""
    def failing(index: int) -> Callable[[], dict]:
        def render() -> dict:
            raise ValueError(f"part {index}")
        return render

    parts = [Made("0", lambda: {"0.txt": ""}, 10_000), Made("1", failing(1), 5_000),
             Made("2", failing(2), 9_000)]
    assert write.share_out([part.cost for part in parts], 3) == [[0], [2], [1]]
    for jobs in (1, 3):
        session = BuildSession(tmp_path / f"project-{jobs}", Settings(jobs=jobs))
        with pytest.raises(ValueError, match="^part 1$"):
            write.write_parts(tmp_path / f"docs-{jobs}", parts, session)


def test_an_exception_a_worker_cannot_send_arrives_as_its_text(tmp_path):
    class Unsendable(Exception):  # a local class: it cannot be pickled
        pass

    def render() -> dict:
        raise Unsendable("only here")

    parts = [Made("a", lambda: {"a.txt": ""}), Made("b", render)]
    with pytest.raises(write.WorkerError, match="^Unsendable: only here$"):
        write.write_parts(tmp_path / "docs", parts, BuildSession(tmp_path / "p", Settings(jobs=2)))


def test_pdfs_are_printed_on_as_many_workers_as_jobs(example_site, example_root, tmp_path):
    project, _ = load_and_check(example_root)
    jobs = [PdfJob(job.source, tmp_path / Path(job.target).name, job.label, job.url)
            for job in pdf_jobs(project, example_site)][:3]
    assert len(jobs) == 3
    printed = render_pdfs(jobs, processes=3)
    assert sorted(printed) == sorted(job.label for job in jobs)
    assert all(made.pages > 0 for made in printed.values())
    processes = {made.process for made in printed.values()}
    assert len(processes) == 3 and os.getpid() not in processes
    one = render_pdfs(jobs[:2], processes=1)
    assert len({made.process for made in one.values()}) == 1
    assert [(tmp_path / Path(job.target).name).read_bytes()[:5] for job in jobs] == [b"%PDF-"] * 3
