"""The theme's static files MkDocs takes are the same with policykit's kept listing of the
installed theme (first and later runs) as with MkDocs' own listing."""

from __future__ import annotations

from pathlib import Path

from policykit.engine.session import BuildSession
from policykit.mkdocs.theme_files import KeptListing, hidden, keep_listing

ROOT = Path(__file__).resolve().parent.parent


def theme_files(env, config) -> list[str]:
    from mkdocs.structure.files import Files

    files = Files([])
    files.add_files_from_theme(env, config)
    return sorted(f.src_uri for f in files)


def test_the_kept_listing_gives_mkdocs_the_same_theme_files(tmp_path):
    from mkdocs.config import load_config

    config = load_config(str(ROOT / "mkdocs.yml"), site_dir=str(tmp_path / "site"))
    expected = theme_files(config.theme.get_env(), config)
    assert len(expected) > 10  # Material's stylesheets, scripts, fonts' licence, ...
    session = BuildSession(tmp_path / "project")
    keep_listing(config.theme, session)
    for _ in range(2):  # listed, then from the cache
        env = config.theme.get_env()
        assert isinstance(env.loader, KeptListing)
        assert theme_files(env, config) == expected
    # and in a new process, from the disk cache
    assert theme_files(config.theme.get_env(), config) == expected


def test_hidden_paths_are_those_mkdocs_leaves_out():
    assert hidden(".icons/material/home.svg") and hidden("assets/.cache/x")
    assert not hidden("assets/stylesheets/main.css")
