"""jackfield: the plugin host and contract for voice-AI call integrations.

Plugin authors import everything they need from here; modules whose names start
with an underscore are private and may change without notice.
"""

from jackfield._errors import (
    ConfigError,
    DuplicateNameError,
    IncompatiblePluginError,
    JackfieldError,
    PluginError,
    PluginLoadError,
    SpecError,
)
from jackfield._wire import (
    SPEC_VERSION,
    DisplayOptions,
    GraphConstraints,
    NodeCategory,
    NodeExample,
    NodeSpec,
    PropertyOption,
    PropertySpec,
    PropertyType,
    RendererOptions,
)

__all__ = [
    "SPEC_VERSION",
    "ConfigError",
    "DisplayOptions",
    "DuplicateNameError",
    "GraphConstraints",
    "IncompatiblePluginError",
    "JackfieldError",
    "NodeCategory",
    "NodeExample",
    "NodeSpec",
    "PluginError",
    "PluginLoadError",
    "PropertyOption",
    "PropertySpec",
    "PropertyType",
    "RendererOptions",
    "SpecError",
]
