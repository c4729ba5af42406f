"""policykit: policies as data, turned into the site staff read, quizzes, print packs and diffs."""

__version__ = "0.1.0"
