"""The plugin host: finding, loading and calling plugins.

Lives here: entry-point discovery, enable/disable settings, loading with failure
confinement, hook dispatch and tracing, each plugin's status, the
:class:`~jackfield.host.PluginHost` object, and jackfield's own built-in plugin.

May import: :mod:`jackfield._specs`, :mod:`jackfield._errors` and
:mod:`jackfield.hookspecs`. Independent of :mod:`jackfield._workflows`; the call
orchestrators in :mod:`jackfield._calls` build on it.
"""
