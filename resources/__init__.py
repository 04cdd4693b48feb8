"""Files the app ships: icons, prompts and demo transcripts.

This folder sits at the top of the project and is installed as the package
``interview_corvus.resources`` (see setup.py); code reads it with
``importlib.resources``, never by a path relative to the source tree.
"""
