"""Imported by every Python process of a reliability run (conftest.py puts this directory on PYTHONPATH).

The retry and waiter loops of the modules sleep RELIABILITY_SLEEP_SCALE of the time they ask for: the same loops and
attempts against the twin (time scale 0), without their wall time. Unset or 1: the real clock. Only the sleeps of a
tenth of a second or more are scaled: the controller's own polls (a millisecond) would otherwise spin the CPU.
"""

import os
import time

_SCALE = float(os.environ.get("RELIABILITY_SLEEP_SCALE") or 1.0)

if _SCALE != 1.0:
    _real_sleep = time.sleep

    def _scaled_sleep(seconds):
        _real_sleep(seconds * _SCALE if seconds >= 0.1 else seconds)

    time.sleep = _scaled_sleep
