"""The reliability suite's fixtures (main_job, planned_census); the harness is reliability_lab.py next to this file."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from reliability_lab import main_job, planned_census  # noqa: E402,F401  pylint: disable=unused-import
