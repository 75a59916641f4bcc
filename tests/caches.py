"""What a cache holds, whichever backend the settings chose (process memory or Redis)."""

from django.core.cache import caches
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache


def cache_keys(alias: str = "default") -> list[str]:
    """Every key stored in the cache `alias`, as the backend stores it (prefix and version)."""
    cache = caches[alias]
    if isinstance(cache, LocMemCache):
        return list(cache._cache)
    if isinstance(cache, RedisCache):
        return [key.decode() for key in cache._cache.get_client().keys("*")]
    raise TypeError(f"cannot list the keys of {type(cache).__name__}")
