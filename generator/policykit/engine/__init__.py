"""The build: the session, the one build sequence, writing, the output folder, incremental builds, PDFs, search."""
