"""Calls the tasks of celery_app through a running worker: a single call, a group, a
chain, a chord (which keeps its counter in the backend), a countdown and a failure.
Prints one line per check."""
from celery import chain, chord, group

from celery_app import add, fail, total

print("add", add.delay(2, 3).get(timeout=20))
print("group", group(add.s(i, i) for i in range(5))().get(timeout=20))
print("chain", chain(add.s(1, 2), add.s(10))().get(timeout=20))
print("chord", chord((add.s(i, 1) for i in range(4)), total.s())().get(timeout=30))
later = add.apply_async((5, 5), countdown=1)
print("countdown", later.get(timeout=20), later.state)
failed = fail.delay()
try:
    failed.get(timeout=20)
except ValueError as err:
    print("failure", failed.state, err)
