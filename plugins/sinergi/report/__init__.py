"""The run report: one static, offline HTML page per publish attempt."""
