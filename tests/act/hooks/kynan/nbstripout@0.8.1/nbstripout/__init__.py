from ._nbstripout import install, uninstall, status, main, __doc__ as docstring
from ._utils import pop_recursive, strip_output, MetadataError
__all__ = ["install", "uninstall", "status", "main",
           "pop_recursive", "strip_output", "MetadataError"]
__doc__ = docstring
