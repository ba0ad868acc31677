"""``python -m experiments.tune``: see experiments/tune/command.py."""

from experiments.tune.command import main

main()
