"""The pages scripts/gen_docs.py builds from code, one module per page (see gen_docs.py)."""
