"""Quiz banks, the quiz document, draws, statistics and LMS exports (pure)."""
