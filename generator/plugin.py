"""The MkDocs plugin `policykit`: regenerates the docs folder before every build or reload."""

from __future__ import annotations

from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin

from .build import TEMPLATES_FOLDER, generate
from .errors import ProjectError
from .render import HOME, policy_page

WATCHED = ("policy", "quizzes", TEMPLATES_FOLDER)


def site_nav(project) -> list:
    """The navigation: home, each policy's current page, and training."""
    training = [{"Pathways": "training/index.md"}]
    training += [{q.title: f"training/{q.id}/index.md"} for q in project.quizzes]
    training += [{"Coverage": "training/coverage/index.md"}]
    return [{"Home": HOME.path},
            {"Policies": [{p.title: policy_page(p.id).path} for p in project.policies]},
            {"Training": training}]


class PolicykitPlugin(BasePlugin):
    """Generate pages from policy/ and quizzes/ into the docs folder, and build the navigation."""

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        self.root = Path(config.config_file_path).resolve().parent
        try:
            project, _ = generate(self.root)
        except ProjectError as error:
            raise PluginError(f"policykit: the project has errors:\n{error}") from None
        config.nav = site_nav(project)
        return config

    def on_serve(self, server, config: MkDocsConfig, builder):
        for name in WATCHED:
            if (self.root / name).exists():
                server.watch(str(self.root / name))
        return server
