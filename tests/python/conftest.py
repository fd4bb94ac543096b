"""Shared fixtures of the Python black-box tests: the `sensei_server` module is importable
from each test file."""

import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
