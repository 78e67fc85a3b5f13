"""Where a supporter is and who speaks for them there: the postcodes.io client and its breaker,
the directory and its target roles, staff corrections, the MP refresh, and the path from a place
to letters (``pipeline``) that every audience shares."""
