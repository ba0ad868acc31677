"""The tuner: ``python -m experiments.tune STUDY --base ENTRY --trials N --lanes L`` searches the declared space
(experiments/registry/search_space.py) around a registry entry with Optuna, two seeds a trial, pruned by the greedy
probe. command.py reads the options, objective.py declares what is maximised, lanes.py runs the seeds side by side,
seed_run.py is one seed's run in its own process, study.py keeps the study, figures.py draws Optuna's figures.
"""
