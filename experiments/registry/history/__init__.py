"""The history wing: earlier baselines, candidates, explorations and the searches, kept whole and still reproducible.

Every entry here keeps its hypothesis, its committed runs and its strict xfail; its runs publish into
``results/history/`` (not ``results/``), and its test cases run only with ``--run-long`` (marker ``history``).
Today's lessons, in the folder above, may build on an entry here (the baseline is a variant of
``relevance-quarter-96``), never the other way round. See docs/history.md.
"""
