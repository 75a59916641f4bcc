"""Production settings plus the benchmarks' URLs (bench_urls: the framework-floor view).
Used only by the scripts in bench/; never by the portal."""

from streetinfo.settings import *  # noqa: F403

ROOT_URLCONF = "bench_urls"
