"""Mining an archive of runs for the lies no rule knows yet (``exitaudit mine``).

templates.py   every line to a template (variable parts masked, in bulk with polars)
collect.py     per log, in a worker: the audit (is the run already flagged?) and its templates
score.py       per template, runs with exit 0 and non-zero; failure templates; candidate lies
drafts.py      draft rule files from clusters of failure templates, each proven by lint and test
report.py      the JSON document, the tables and the terminal summary
"""
