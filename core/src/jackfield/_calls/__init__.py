"""Calls: the life of one call, live and after it ends.

Lives here: the framework-neutral call events, what plugins are handed on the
live path (runtime context and sessions) and after the call (completion context,
phases, settings and the retry signal), preparing and finishing a live call, the
scripted call, the call recorder, and post-call completion orchestration.

May import: :mod:`jackfield._host`, :mod:`jackfield._workflows`,
:mod:`jackfield._specs` and :mod:`jackfield._errors`. Only the command line
builds on it.
"""
