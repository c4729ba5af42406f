"""The host adapter for MkDocs (and ProperDocs, which runs it unchanged): the only package that
imports mkdocs, material or watchdog (a contract in pyproject.toml).

The engine (engine/build.py) never imports this package: the command line hands it a host
object, and the host's own plugin calls the engine's stages. A second host (Zensical, once it
can run a generation step) is one new folder beside this one, providing the same two halves:

1. A host object (here `host.MkDocsHost`, the `engine.build.Host` protocol), which
   `policykit build` hands to `engine.build.build_site`:
   - `errors`: the tuple of the host's own exception classes (reported, never a traceback);
   - `plugin_options(root) -> dict`: the policykit options in the host's configuration file
     (`{}` when none or unreadable; the build then reports the file, located);
   - `config_values(path)`: the configuration file as the host reads it (inheritance and
     environment variables resolved), for the incremental build's key;
   - `date() -> str`: the date the host stamps into the site (its sitemap);
   - `load(root, strict, docs_dir)`: the validated configuration, with at least `site_dir`,
     `site_url` and `strict`; the incremental build (engine/incremental.py) also reads its
     `config_file_path`, `docs_dir`, `nav`, `theme.dirs`, `theme.custom_dir`,
     `theme.static_templates` (an incremental build takes out the 404 page and sitemap, which
     it keeps from the last build), `extra_templates`, `plugins`, `markdown_extensions`, `watch`,
     `hooks` and `validation.links.anchors`, as MkDocs names them, and the host's files as
     MkDocs' `Files` (`src_uri`, `dest_uri`, `abs_src_path`, `page`, `is_modified`);
   - `build(config, session, incremental, site_dir) -> bool`: render the site into site_dir
     with the host's policykit plugin given the session and the incremental state (when
     incremental is given, only the pages it marks are rendered again); False when the
     configuration has no policykit plugin.
2. A plugin of the host (here `plugin.PolicykitPlugin`) that, on the host's events, runs:
   `engine.build.generate(root, session)` before any page is read (a plain `<host> build` and
   `serve` make their own session, `session.settings_from` the plugin's options), takes the
   navigation from `plugin.site_nav(project)`, calls `engine.build.finish_page(html, meta,
   serving)` on every rendered page and `engine.search.index_site(site_dir, searched)` when all
   are written, and, with an incremental state, `Incremental.start(config, files, banner)`
   when the files are known and `Incremental.finish(config, files, searchable)` at the end.

Everything else here is MkDocs' alone: the server and its error banner (preview.py), the
theme's defaults (site_config.py), the raw-HTML extension (raw_html.py), the theme listing
(theme_files.py), theme template errors (theme_errors.py).
"""
