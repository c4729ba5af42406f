"""The pages of the site: model -> {path: text} through templates (pure, but for reading templates)."""
