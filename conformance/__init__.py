"""The podkit conformance suites: one per plugin kind, run as a pytest plugin.

``podkit conformance {runtime,network,storage} --plugin NAME`` runs one of
them; so does ``pytest --pyargs podkit.conformance.network --podkit-plugin
NAME``. See :mod:`podkit.conformance.plugin` for the options and fixtures.
"""

from __future__ import annotations

import pytest

pytest.register_assert_rewrite("podkit.conformance.checks")
