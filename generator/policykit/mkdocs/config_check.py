"""mkdocs.yml as `policykit check` reads it (I/O: reads it): loaded by MkDocs' own loader, as
a build would load it, and each error or unrecognised name MkDocs reports placed at its line
(a YAML error, an unknown plugin, a misspelt plugin option such as `draft: false`)."""

from __future__ import annotations

import logging
import re
import tempfile
from pathlib import Path

import yaml

from policykit.core.codes import suppression_reason
from policykit.core.errors import Problem, Source, did_you_mean, shown
from policykit.engine.config_guard import config_files, read_config
from policykit.engine.guard import CONFIG, SiteFolderError
from policykit.source.load import unclosed_bracket

HINT = "fix mkdocs.yml (the MkDocs configuration)"
_SAID = re.compile(r"Config value '([^']*)': (?:Plugin '([^']*)' option '([^']*)': )?(.*)",
                   re.S)
_UNKNOWN = re.compile(r"Unrecognised configuration name: (.*)")
_NOT_INSTALLED = re.compile(r'The "(.*)" plugin is not installed')


def config_problems(root: Path) -> list[Problem]:
    """Every problem MkDocs finds in the project's mkdocs.yml, located; none when there is no
    mkdocs.yml (policykit's own settings apply)."""
    if not (root / CONFIG).exists():
        return []
    try:
        config_files(root)  # no FIFO or device where MkDocs would wait for it forever
        text = read_config(root / CONFIG, CONFIG)
    except SiteFolderError as error:
        return [Problem(Source(CONFIG), str(error), code="config.unreadable")]
    said, failure = _load(root / CONFIG, text)
    if failure is not None:
        return [failure]
    places = _Places(text)
    return [problem for level, message in said for problem in _problems(level, message, places)]


def _problems(level: int, message: str, places: "_Places") -> list[Problem]:
    """The problems of one thing MkDocs said: a bad suppress_warnings entry at its own line,
    every bad one (MkDocs names the first, at the option), else the one problem it said."""
    said = _SAID.match(message)
    if said and said.group(2) and said.group(3) == "suppress_warnings":
        entries = places.suppress_faults(said.group(2))
        if entries:
            return entries
    return [_problem(level, message, places)]


def _load(path: Path, text: str) -> tuple[list[tuple[int, str]], Problem | None]:
    """What MkDocs logs while loading path (level, message), or the YAML error it stops at."""
    from mkdocs.config import load_config
    from mkdocs.exceptions import ConfigurationError, MkDocsException

    logger = logging.getLogger("mkdocs.config")
    heard = _Heard()
    kept = logger.propagate, logger.level
    logger.addHandler(heard)
    logger.propagate, logger.level = False, logging.WARNING
    try:
        with tempfile.TemporaryDirectory(prefix="policykit-check-") as docs:
            # the docs folder is written by policykit: one that exists stands in for it
            load_config(config_file=str(path), docs_dir=docs)
    except ConfigurationError as error:
        if not heard.said:
            return [], _yaml_problem(error, text)
    except MkDocsException:  # Abort: each error was logged first
        pass
    finally:
        logger.removeHandler(heard)
        logger.propagate, logger.level = kept
    return heard.said, None


class _Heard(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.said: list[tuple[int, str]] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.said.append((record.levelno, record.getMessage()))


def _yaml_problem(error: BaseException, text: str) -> Problem:
    """mkdocs.yml that is not YAML, at the place the YAML parser stopped (an unclosed '[' at
    the bracket)."""
    cause = error.__context__ or error.__cause__
    unclosed = unclosed_bracket(cause, text) if isinstance(cause, yaml.MarkedYAMLError) else None
    if unclosed:
        line, column, what, hint = unclosed
        return Problem(Source(CONFIG, line, column), what, hint, code="config.yaml-syntax")
    mark = getattr(cause, "problem_mark", None)
    where = Source(CONFIG, mark.line + 1, mark.column + 1) if mark else Source(CONFIG)
    what = getattr(cause, "problem", None) or str(error)
    return Problem(where, f"YAML syntax error: {shown(what, 200)}", HINT, code="config.yaml-syntax")


def _problem(level: int, message: str, places: "_Places") -> Problem:
    severity = "error" if level >= logging.ERROR else "warning"
    said = _SAID.match(message)
    if said is None:
        return Problem(Source(CONFIG), shown(message, 300), HINT, severity, code="config.invalid")
    key, plugin, option, what = said.groups()
    unknown = _UNKNOWN.fullmatch(what.strip())
    missing = _NOT_INSTALLED.search(what) if key == "plugins" and not plugin else None
    if missing:
        return Problem(places.plugin_option(missing.group(1), ""), f"plugin "
                       f"'{shown(missing.group(1))}' is not installed", "install it in "
                       "policykit's environment, or remove it from plugins", severity,
                       code="config.plugin-missing")
    if plugin:
        where = places.plugin_option(plugin, option)
        subject = f"plugin '{plugin}': option '{option}'"
        known = _plugin_options(plugin)
        hint = did_you_mean(option, known, f"remove it, or use one of its options: "
                            f"{', '.join(known)}" if known else "remove it, or correct its name")
        severity = "error"  # a plugin's setting misspelt is one silently not applied
    else:
        where = places.key(key)
        subject = f"'{key}'"
        hint = did_you_mean(key, _mkdocs_keys(), "remove it, or correct its name") \
            if unknown else HINT
    if unknown:
        return Problem(where, f"{subject} is not a setting {plugin and 'the plugin' or 'MkDocs'} "
                       "knows, so it would be ignored",
                       hint, severity, code="config.unknown-setting")
    return Problem(where, f"{subject}: {shown(what.strip(), 300)}", HINT, severity,
                   code="config.invalid")


def _mkdocs_keys() -> list[str]:
    from mkdocs.config.defaults import get_schema

    return [name for name, _ in get_schema()]


def _plugin_options(plugin: str) -> list[str]:
    from mkdocs.plugins import get_plugins

    found = get_plugins().get(plugin)
    try:
        return [name for name, _ in found.load().config_scheme] if found else []
    except Exception:  # noqa: BLE001 — a plugin that fails to load has no options to offer
        return []


class _Places:
    """Where the keys of mkdocs.yml are written (composed, never constructed: no tag runs)."""

    def __init__(self, text: str) -> None:
        try:
            self.node = yaml.compose(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
        except yaml.YAMLError:
            self.node = None

    def key(self, key: str) -> Source:
        found = _key_node(self.node, key)
        return _at(found) if found is not None else Source(CONFIG)

    def plugin_option(self, plugin: str, option: str) -> Source:
        name, options = self._plugin(plugin)
        if name is None:
            return self.key("plugins")
        found = _key_node(options, option)
        return _at(found if found is not None else name)

    def suppress_faults(self, plugin: str) -> list[Problem]:
        """Each entry of the plugin's suppress_warnings that names no warning code, at the
        entry's own line (none when the option is not a list of texts)."""
        _, options = self._plugin(plugin)
        entries = _value_node(options, "suppress_warnings")
        if not isinstance(entries, yaml.SequenceNode):
            return []
        found = []
        for entry in entries.value:
            if not isinstance(entry, yaml.ScalarNode):
                continue
            what, hint = suppression_reason(entry.value)
            if what:
                found.append(Problem(_at(entry), f"plugin '{plugin}': suppress_warnings: "
                                     f"{shown(what, 300)}", hint or "remove it from "
                                     "suppress_warnings", code="config.invalid"))
        return found

    def _plugin(self, plugin: str) -> tuple[yaml.Node | None, yaml.Node | None]:
        """The plugin's entry in plugins: its name node and its options node."""
        plugins = _value_node(self.node, "plugins")
        items = plugins.value if isinstance(plugins, (yaml.SequenceNode, yaml.MappingNode)) \
            else []
        for item in items:
            name, options = _named(item)
            if name is not None and _same_plugin(str(name.value), plugin):
                return name, options
        return None, None


def _named(item) -> tuple[yaml.Node | None, yaml.Node | None]:
    """A plugin entry's name node and options: '- search', '- search: {...}' or 'search:'."""
    if isinstance(item, tuple):  # plugins written as a mapping
        return item
    if isinstance(item, yaml.ScalarNode):
        return item, None
    if isinstance(item, yaml.MappingNode) and item.value:
        return item.value[0]
    return None, None


def _same_plugin(written: str, named: str) -> bool:
    """'search' written names 'material/search' when Material's theme is used."""
    return written == named or named.endswith("/" + written) or written.endswith("/" + named)


def _key_node(node, key: str):
    if isinstance(node, yaml.MappingNode):
        for name, _ in node.value:
            if isinstance(name, yaml.ScalarNode) and name.value == key:
                return name
    return None


def _value_node(node, key: str):
    if isinstance(node, yaml.MappingNode):
        for name, value in node.value:
            if isinstance(name, yaml.ScalarNode) and name.value == key:
                return value
    return None


def _at(node: yaml.Node) -> Source:
    return Source(CONFIG, node.start_mark.line + 1, node.start_mark.column + 1)
