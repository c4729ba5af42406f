"""What the plugin sets in the MkDocs configuration itself, so that a minimal mkdocs.yml
(site_name, `theme: material`, `plugins: [policykit]`) builds the full site. Each value is a
default: what a project's mkdocs.yml already says is kept, but for two things an older one may
say that the pages no longer need or must not have: quiz.js on every page, and Material's
content.tooltips (pure, on the config object)."""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Any

from policykit.engine.build import DOCS_FOLDER
from policykit.mkdocs.raw_html import RawHtml
from policykit.site.training import QUIZ_SCRIPT

log = logging.getLogger("mkdocs.plugins.policykit")

STYLESHEETS = ("assets/policykit.css",)
SCRIPTS = ("assets/policykit.js", "assets/search.js", "assets/files.js")  # on every page
# Loaded by the quiz pages only (quiz.md.j2 names it after the quiz), so it is taken out of the
# scripts of every page where an older mkdocs.yml still lists it.
PAGE_SCRIPTS = (QUIZ_SCRIPT,)
# The Markdown extensions the page templates rely on, with their settings when not configured.
EXTENSIONS: dict[str, dict[str, Any]] = {
    "attr_list": {},
    "admonition": {},
    "abbr": {},
    "toc": {"toc_depth": 2, "permalink": False},
}
FEATURES = ("navigation.top", "toc.follow")
# Material's own tooltips put an element's `title` into the page as HTML, and titles here come
# from the policies' text: left off, the browser shows each title as the text it is.
UNSAFE_FEATURES = ("content.tooltips",)
MATERIAL_FONT = {"text": "Roboto", "code": "Roboto Mono"}  # Material's default: web fonts


def apply_defaults(config: Any, root: Path) -> None:
    """Set what the generated pages need: the docs folder, the package's stylesheet and
    scripts, the Markdown extensions (and raw_html.py's), and a theme that fetches no web
    fonts."""
    config.docs_dir = str(root / DOCS_FOLDER)
    # the package's stylesheet first, so that a project's own (listed in extra_css) wins
    present = {str(item) for item in config.extra_css}
    config.extra_css[:0] = [path for path in STYLESHEETS if path not in present]
    _add_missing(config.extra_javascript, SCRIPTS)
    config.extra_javascript[:] = [item for item in config.extra_javascript
                                  if str(item) not in PAGE_SCRIPTS]
    for name, settings in EXTENSIONS.items():
        if name not in config.markdown_extensions:
            config.markdown_extensions.append(name)
        if settings and name not in config.mdx_configs:
            config.mdx_configs[name] = dict(settings)
    config.markdown_extensions.append(RawHtml())  # pages' raw HTML read once, not twice
    _theme_defaults(config.theme)
    _quiet_hidden_pages(config)


def _quiet_hidden_pages(config: Any) -> None:
    """Version, print, answer and sign-off pages are left out of the navigation on purpose:
    MkDocs would list each of them on every `serve` as "not included in the nav", which reads
    like a fault to a newcomer. Unless mkdocs.yml sets `validation` itself, say it only at
    debug level."""
    validation = getattr(config, "validation", None)
    if validation is None or validation.nav.omitted_files != logging.INFO:
        return  # not MkDocs 1.5+, or set otherwise in mkdocs.yml
    try:
        text = Path(config.config_file_path).read_text("utf-8")
    except (OSError, TypeError, UnicodeDecodeError):
        text = ""
    if re.search(r"^validation\s*:", text, re.MULTILINE):
        return
    validation.nav.omitted_files = logging.DEBUG


def _add_missing(listed: list, wanted: tuple[str, ...]) -> None:
    """Append each wanted path that the list does not name yet (scripts may be objects)."""
    present = {str(item) for item in listed}
    listed.extend(path for path in wanted if path not in present)


def _theme_defaults(theme: Any) -> None:
    """No web fonts (the site makes no third-party request) and the features the pages use."""
    if theme.name != "material":
        return
    if theme.get("font") == MATERIAL_FONT:
        theme["font"] = False
    features = theme.get("features")
    if not features:
        theme["features"] = list(FEATURES)
        return
    left_off = [name for name in features if name in UNSAFE_FEATURES]
    if left_off:
        log.info("policykit: Material's %s is left off: it would show titles written in the "
                 "policies as HTML (the browser shows them as text)", ", ".join(left_off))
        theme["features"] = [name for name in features if name not in UNSAFE_FEATURES]
