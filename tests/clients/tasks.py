"""Job functions the rq and Celery workers of tests/clients run."""


def double(x):
    return x * 2


def boom():
    raise ValueError("boom")
