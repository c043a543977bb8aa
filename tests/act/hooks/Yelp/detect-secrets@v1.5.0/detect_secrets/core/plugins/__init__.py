from . import initialize    # noqa: F401
from .util import Plugin    # noqa: F401
