"""The test suite: one test module per module of bot/; what the tests share lives in tests/apoio/."""

import pytest

# The support modules assert too (a payload's shape, a link in a reply): pytest explains their failures like a test's.
pytest.register_assert_rewrite("tests.apoio")
