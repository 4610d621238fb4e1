"""Packages: every clerkdesk* package, and clerkdesk.themes from the top-level themes/ folder
(pyproject.toml maps it: [tool.setuptools.package-dir]). Everything else is in pyproject.toml."""

from setuptools import find_packages, setup

setup(packages=[*find_packages(include=["clerkdesk*"]), "clerkdesk.themes"])
