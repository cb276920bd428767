"""The environment the suite runs in, set before Django reads its settings.

pyproject.toml loads this module with ``-p`` so it runs ahead of pytest-django. Debug stays
off, as in production; only a throwaway secret key is supplied.
"""

import os

os.environ.setdefault("DJANGO_SECRET_KEY", "tests-only-not-a-secret")
os.environ.pop("DJANGO_DEBUG", None)
