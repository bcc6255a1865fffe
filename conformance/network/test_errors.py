"""Bad network configurations and environments get the SPEC's error codes.

CNI SPEC 1.1, section 2 "Errors": a plugin that fails "must output an error
result", whose ``code`` says what went wrong; the cases and the codes each
accepts are in :mod:`~podkit.conformance.network._bad_cases`, which says
why upstream's 999 is accepted for configuration errors. The error's
``cni_code`` is the code a runtime would read.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

import podkit
from podkit.conformance.network._bad_cases import CASES, BadCase

if TYPE_CHECKING:
    from podkit.conformance.network._harness import Harness


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_a_bad_request_is_refused_with_the_spec_code(harness: Harness, case: BadCase) -> None:
    """CNI SPEC 1.1, section 2 "Errors": the request fails with a code that means it.

    Configuration errors are 7 ("Invalid network config"), or 2 for values
    the plugin does not support, or the generic 999; a missing required
    ``CNI_*`` variable is 4; CHECK of a container never added is 3 or the
    generic 999. Never another of the SPEC's codes.
    """
    harness.need_type(*case.types, what=case.name)
    config, attachment = case.build(harness)
    call = harness.check if case.operation == "CHECK" else harness.add
    with pytest.raises(podkit.PodkitError) as caught:
        call(config, attachment)
    assert caught.value.cni_code in case.codes, (
        f"{case.name}: code {caught.value.cni_code} is not one of {sorted(case.codes)}: "
        f"{caught.value}"
    )
