"""Loaded as a pytest plugin (`-p tests.testenv`) so it runs before pytest-django reads the settings."""

import os

# Tests never need a real secret; production refuses to start without one.
os.environ.setdefault("SECRET_KEY", "test-only-secret-key")
