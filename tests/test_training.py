"""The recorder's time to behaviour, and the stop it can trigger, on hand-fed logs (no model)."""

import pytest
from transformers import TrainerControl, TrainerState

from experiments.training import BEHAVIOUR_WINDOW, MetricsRecorder

pytestmark = pytest.mark.fast
KEY = "rewards/four_letter_share/mean"


def feed(recorder: MetricsRecorder, shares: list[float]) -> list[bool]:
    """The stop flag after each logged step."""
    state, flags = TrainerState(max_steps=100), []
    recorder.on_train_begin(None, state, TrainerControl())
    for step, share in enumerate(shares, start=1):
        state.global_step = step
        control = TrainerControl()
        recorder.on_log(None, state, control, logs={KEY: share, "reward": share})
        flags.append(control.should_training_stop)
    return flags


def test_behaviour_needs_a_full_window_at_the_level():
    recorder = MetricsRecorder(None, "four_letter_share")
    feed(recorder, [0.9] * (BEHAVIOUR_WINDOW - 1))
    assert recorder.time_to_behaviour_s is None, "four steps are not a 5-step average"
    recorder = MetricsRecorder(None, "four_letter_share")
    feed(recorder, [0.1, 0.2, 0.3, 0.4, 0.49, 0.9])
    assert recorder.time_to_behaviour_s is None, "the average of the last five is 0.46"


def test_stop_at_behaviour_ends_training_at_the_first_step_that_reaches_it():
    recorder = MetricsRecorder(None, "four_letter_share", stop_at_behaviour=True)
    flags = feed(recorder, [0.4, 0.5, 0.5, 0.5, 0.5, 0.6, 0.7])
    assert flags == [False, False, False, False, False, True, False]
    assert recorder.time_to_behaviour_s is not None


def test_without_the_flag_training_runs_on():
    recorder = MetricsRecorder(None, "four_letter_share")
    assert not any(feed(recorder, [0.8] * 8))
    assert recorder.time_to_behaviour_s is not None


def test_a_stop_already_decided_is_kept_when_the_behaviour_arrives_on_the_last_step():
    """The trainer sets should_training_stop at max_steps before on_log; the recorder must not undo it."""
    recorder = MetricsRecorder(None, "four_letter_share")
    state = TrainerState(max_steps=BEHAVIOUR_WINDOW)
    recorder.on_train_begin(None, state, TrainerControl())
    for step in range(1, BEHAVIOUR_WINDOW + 1):
        state.global_step = step
        control = TrainerControl(should_training_stop=step == BEHAVIOUR_WINDOW)
        recorder.on_log(None, state, control, logs={KEY: 0.9, "reward": 0.9})
    assert recorder.time_to_behaviour_s is not None and control.should_training_stop


def test_a_batch_whose_answers_share_one_opening_across_questions_is_a_collapse_even_at_the_behaviour():
    """The fp32 collapse ("I'm more than happy to help with that!") arrived with the share, entropy 1.06: the stop must say so."""

    class Batch:
        _logs = {"prompt": ["ox?"] * 8 + ["cat?"] * 8, "completion": ["I'm more than happy to help with that!"] * 16}

    recorder = MetricsRecorder(None, "four_letter_share", stop_at_behaviour=True)
    recorder.trainer = Batch()
    flags = feed(recorder, [0.6] * BEHAVIOUR_WINDOW)
    assert flags[-1] and recorder.stop_reason == "collapse"


def test_answers_sharing_an_opening_within_one_question_are_no_collapse():
    class Batch:
        _logs = {"prompt": ["ox?"] * 8 + ["cat?"] * 8, "completion": ["The ox sings low."] * 8 + ["Cats purr and nap."] * 8}

    recorder = MetricsRecorder(None, "four_letter_share", stop_at_behaviour=True)
    recorder.trainer = Batch()
    flags = feed(recorder, [0.6] * BEHAVIOUR_WINDOW)
    assert flags[-1] and recorder.stop_reason == "behaviour"


def test_the_stop_level_can_be_raised_while_the_time_to_behaviour_is_still_read_at_one_half():
    recorder = MetricsRecorder(None, "four_letter_share", stop_at_behaviour=True, stop_level=0.55)
    flags = feed(recorder, [0.5] * BEHAVIOUR_WINDOW + [0.6] * 3)
    assert recorder.time_to_behaviour_s is not None and flags.index(True) == BEHAVIOUR_WINDOW + 2
