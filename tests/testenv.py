"""Loaded as a pytest plugin (`-p tests.testenv`) so it runs before pytest-django reads the settings."""

import os

# Tests never need a real secret; production refuses to start without one.
os.environ.setdefault("SECRET_KEY", "test-only-secret-key")
# The tests run with DEBUG off, as production does, and production refuses to start without a
# DATABASE_URL. Unset, the suite runs on SQLite: conftest.py puts the test database under pytest's
# temporary folder, and this in-memory name means nothing that forgets to use the test database
# writes into the project folder. Subprocesses that tests start inherit it.
os.environ.setdefault("DATABASE_URL", "sqlite://:memory:")
