"""HTTP for plugins: what :mod:`jackfield.http` exports, behind the ``http`` extra.

Lives here: the process's one TLS context and the shared ``httpx.AsyncClient``
of each running event loop, the response classifier (delivered, duplicate,
retry, failed) and its typed outcome, the ``send`` helper with its per-request
time limit, and URL redaction with the logging filter the host installs on the
``httpx`` and ``httpcore`` loggers.

May import: httpx (only this subpackage and :mod:`jackfield.http` do, so core
stays importable without it), :mod:`jackfield._calls` (for ``RetryLater`` and
``retry_after_s``) and :mod:`jackfield._errors`. Nothing else in core imports
it: it sits beside :mod:`jackfield._cli` at the top of the layers.
"""
