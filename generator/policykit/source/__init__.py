"""Reading a project: its files, YAML with places, the schemas, the model, the lock file, the cache on disk."""
