"""The Redis server of this machine (127.0.0.1:6379), used by the tests of what is shared across workers."""

from __future__ import annotations

import pytest

REDIS_URL = "redis://127.0.0.1:6379/0"


def redis_is_up() -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


needs_redis = pytest.mark.skipif(not redis_is_up(), reason="no Redis server at 127.0.0.1:6379")
