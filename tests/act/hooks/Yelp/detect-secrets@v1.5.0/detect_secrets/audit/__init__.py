from . import analytics                 # noqa: F401
from . import report                    # noqa: F401
from .audit import audit_baseline       # noqa: F401
from .compare import compare_baselines  # noqa: F401
