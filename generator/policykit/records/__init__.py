"""The records service (issue 26): who read and understood which version, who passed which quiz,
who must retrain after a change. Optional: installed with the `records` extra."""
