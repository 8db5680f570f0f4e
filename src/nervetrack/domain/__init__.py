"""The functional core: recovery knowledge, triage, trajectories, ODI scoring and forecasts.

Plain functions over plain data. No clock, no files, no web or database: time arrives as `as_of`.
"""
