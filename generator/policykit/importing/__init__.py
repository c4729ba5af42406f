"""Documents in: Word, Markdown, HTML and text to a draft, word for word."""
