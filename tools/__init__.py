"""The course's maintenance tools: recording, checking and publishing the notebooks.

Each module is a small command, run from the repository root as ``python -m tools.<name>``
(the Makefile's targets do), with a ``main(argv=None) -> int``; modules import each other as
``from tools.atomic import write_atomically``. None of this is imported by learners: the
course's helper package is ``gdhelpers``.
"""
