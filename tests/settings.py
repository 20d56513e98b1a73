"""The test suite's settings: production's (caretrack.settings) with the cache in each process's memory.

tests/conftest.py empties the cache before every test, including tests that may not touch the database, so
the suite cannot use production's DatabaseCache. What production gets is tested from outside: the settings
in a subprocess (tests/caretrack/test_cache_settings.py) and two gunicorn servers sharing one database
(tests/caretrack/test_two_servers.py).
"""

from caretrack.settings import *  # noqa: F403

CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
