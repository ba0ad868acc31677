"""The registry, one module per lesson group; each module's docstring is the group's title in the report.

To add an experiment, append one ``variant(BASE, name, hypothesis, expect, **changes)`` to the
group it teaches. Its test case, its row in the summary and its curve follow from that entry.
"""

from experiments.lessons import breakages, comparisons, custom_rewards, first_lesson, gpu, prompt_scale, speed_levers

GROUPS = (first_lesson, comparisons, breakages, custom_rewards, prompt_scale, speed_levers, gpu)
