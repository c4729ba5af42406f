"""One trust, many schools: the model policies, each school's values and local changes, and one site per school (issue 27)."""
