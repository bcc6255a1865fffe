"""An in-process suite is timed test by test, not as a whole under the test that runs it.

Issue #4: the runtime suite against containerd on podkit-cni takes ~3
minutes, run in-process by one test whose pytest-timeout is 120 s. The
suite's tests had no timeout of their own, so the outer timer fired ~120 s
in and failed whichever call was under way, most often a Run- or
StopPodSandbox waiting on a ``podkit-cni`` exec: it read as a hung CNI
plugin. :func:`pkcd_containerd.run_suite` gives each test of the suite its
own timeout (each re-arms pytest-timeout's one timer).
"""

from __future__ import annotations

import pytest
from pkcd_containerd import run_suite

pytest_plugins = ["pytester"]

_STEPS = 5
_SUITE = f"""
import time

import pytest


@pytest.mark.parametrize("step", range({_STEPS}))
def test_pkch_step(step):
    time.sleep(1)
"""


@pytest.mark.timeout(_STEPS - 1)  # the suite takes _STEPS seconds or more
def test_a_suite_longer_than_the_test_running_it_passes_when_each_of_its_tests_is_quick(
    pytester,
):
    pytester.makepyfile(test_pkch_steps=_SUITE)
    result = run_suite(pytester)
    result.assert_outcomes(passed=_STEPS)


def test_a_suite_test_past_its_own_timeout_fails_alone(pytester):
    pytester.makepyfile(
        test_pkch_stuck="""
        import time


        def test_pkch_stuck():
            time.sleep(60)


        def test_pkch_after():
            pass
        """
    )
    result = run_suite(pytester, timeout=1)
    result.assert_outcomes(failed=1, passed=1)
    result.stdout.fnmatch_lines(["FAILED *::test_pkch_stuck - Failed: Timeout (>1.0s)*"])
