"""Packages: the top-level ``resources/`` folder is installed as
``interview_corvus.resources`` (pyproject's package discovery cannot map a package
that lives outside its parent's folder). Everything else is in pyproject.toml."""

from setuptools import find_packages, setup

setup(
    packages=[*find_packages(include=["interview_corvus*"]), "interview_corvus.resources"],
    package_dir={"interview_corvus.resources": "resources"},
    package_data={
        "interview_corvus.resources": ["icons/*.svg", "prompts/*.toml", "demo/*.jsonl"],
        "interview_corvus.api": ["static/*"],
        "interview_corvus.core.verify": ["child.js"],  # the sandboxed JavaScript runner
    },
)
