"""Map the source folders onto the ``podkit`` package tree.

The folders are named for what they hold (DESIGN.md, "Layout"): ``sdk/`` is
``podkit``, ``plugins/`` is ``podkit.plugins`` and ``conformance/`` is
``podkit.conformance``. setuptools' package finder cannot rename folders, so
the package list is computed here; everything else lives in pyproject.toml.
"""

from __future__ import annotations

from setuptools import find_packages, setup

ROOTS = {"podkit": "sdk", "podkit.plugins": "plugins", "podkit.conformance": "conformance"}


def _packages() -> list[str]:
    packages = []
    for name, folder in ROOTS.items():
        packages.append(name)
        packages.extend(f"{name}.{sub}" for sub in find_packages(folder))
    return packages


setup(packages=_packages(), package_dir=ROOTS)
