"""Print pages -> PDFs with WeasyPrint, on the build's jobs worker processes, each PDF with a time
limit (I/O: writes PDFs)."""

from __future__ import annotations

import multiprocessing
import os
import posixpath
import re
from dataclasses import dataclass
from pathlib import Path

SECONDS_PER_DOCUMENT = 120


@dataclass(frozen=True)
class PdfJob:
    """One PDF to make: which print page, where to write it, and what to call it in messages."""

    source: Path
    target: Path
    label: str
    url: str = ""  # the print page's address within the site, e.g. policies/x/print
    site_url: str | None = None  # where the site is published, if mkdocs.yml says


class PdfError(Exception):
    """A PDF could not be made; the message names the policy and version."""


_HREF = re.compile(r'<a href="([^"#][^"]*)"([^>]*)>(.*?)</a>', re.S)


def standalone_links(html: str, page_url: str, site_url: str | None) -> str:
    """Links as a PDF needs them: anchors within the document stay; links to other pages
    become absolute addresses on site_url, or plain text when the site's address is unknown."""
    def replace(match: re.Match) -> str:
        href, rest, text = match.groups()
        if re.match(r"[a-z]+:", href):
            return match.group(0)
        if not site_url:
            return text
        target = posixpath.normpath(posixpath.join(page_url, href))
        absolute = site_url.rstrip("/") + "/" + target.lstrip("./") + ("/" if href.endswith("/")
                                                                        else "")
        return f'<a href="{absolute}"{rest}>{text}</a>'

    return _HREF.sub(replace, html)


@dataclass(frozen=True)
class Printed:
    """A PDF made: its number of pages, and the worker process that printed it."""

    pages: int
    process: int


def _render(job: PdfJob) -> Printed:
    import weasyprint  # imported in the worker: the site build itself does not need it

    html = standalone_links(job.source.read_text("utf-8"), job.url, job.site_url)
    document = weasyprint.HTML(string=html, base_url=str(job.source)).render()
    job.target.parent.mkdir(parents=True, exist_ok=True)
    # Tagged (PDF/UA-1): a screen reader gets the structure, the language and the title, and
    # the deleted and inserted labels of a pack are in the structure as text.
    document.write_pdf(str(job.target), pdf_variant="pdf/ua-1")
    return Printed(len(document.pages), os.getpid())


PANGO_HINT = ("install Pango (Debian or Ubuntu: apt-get install libpango-1.0-0 "
              "libpangoft2-1.0-0; Fedora: dnf install pango; macOS: brew install pango; "
              "Windows: see WeasyPrint's installation guide), or build without --pdf "
              "(the project's Dockerfile builds the PDFs with everything they need)")


def _check_weasyprint() -> None:
    """WeasyPrint loads Pango when imported: without it, say what to install, once, before
    any worker starts (its own error is a long note about a library that cannot be loaded)."""
    try:
        import weasyprint  # noqa: F401
    except OSError as error:
        first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise PdfError(f"PDFs need WeasyPrint, which cannot load Pango ({first}) — "
                       f"{PANGO_HINT}") from None


def render_pdfs(jobs: list[PdfJob], seconds: float = SECONDS_PER_DOCUMENT,
                processes: int = 2) -> dict[str, Printed]:
    """Render every job on up to `processes` worker processes (always in workers, even one:
    a document that takes longer than `seconds` is stopped by ending its worker); what was
    printed, by label. Raises PdfError on the first failure (with the worker's traceback as
    its cause) or on a document that takes too long."""
    if not jobs:
        return {}
    _check_weasyprint()
    context = multiprocessing.get_context("spawn")
    pool = context.Pool(processes=max(1, min(processes, len(jobs))))
    pages = {}
    try:
        results = pool.imap(_render, jobs)
        for job in jobs:
            try:
                pages[job.label] = results.next(timeout=seconds)
            except multiprocessing.TimeoutError:
                raise PdfError(f"the PDF of {job.label} took longer than {seconds:g} s; "
                               "stopped") from None
            except Exception as error:  # a WeasyPrint or file error in the worker
                raise PdfError(f"the PDF of {job.label} failed: {error}") from error
        pool.close()
    finally:
        pool.terminate()
        pool.join()
    return pages
