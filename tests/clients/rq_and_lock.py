"""rq and redis-py's Lock against the server at port argv[1].

Enqueues jobs (one failing with a retry, one depending on another), runs a burst
worker, reads the registries; then takes, contends, extends and releases a Lock.
Prints one line per check; tests/client_libraries.rs compares the output on
redis-server and on ours.
"""
import logging
import sys

from redis import Redis
from redis.exceptions import LockError
from rq import Queue, Retry, Worker
from rq.registry import FailedJobRegistry, FinishedJobRegistry

from tasks import boom, double

logging.disable(logging.CRITICAL)
r = Redis(port=int(sys.argv[1]))
q = Queue("default", connection=r)
jobs = [q.enqueue(double, i) for i in range(20)]
failing = q.enqueue(boom, retry=Retry(max=1))
dependent = q.enqueue(double, 100, depends_on=jobs[0])
Worker([q], connection=r).work(burst=True)
print("results", sum(job.return_value() for job in jobs), dependent.return_value())
print("failing", failing.get_status(), failing.retries_left)
print("registries", FailedJobRegistry(queue=q).count, FinishedJobRegistry(queue=q).count)

lock = r.lock("resource", timeout=5, blocking_timeout=1)
print("acquire", lock.acquire(), lock.owned(), lock.locked())
rival = r.lock("resource", timeout=5, blocking_timeout=0.2)
print("rival acquires", rival.acquire())
print("extend", lock.extend(5), 5000 < r.pttl("resource") <= 10000)
print("reacquire", lock.reacquire(), r.pttl("resource") <= 5000)
lock.release()
print("released", r.exists("resource"), lock.locked())
try:
    lock.release()
except LockError as err:
    print("second release", type(err).__name__)
with r.lock("resource", timeout=1) as held:
    print("context", held.owned(), rival.acquire(blocking=False))
print("rival after", rival.acquire(blocking=False), rival.owned())
rival.release()
