from .core.secrets_collection import SecretsCollection  # noqa: F401
