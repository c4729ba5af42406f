"""The command line: argv -> calls, and exit codes."""
