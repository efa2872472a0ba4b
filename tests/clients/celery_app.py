"""A Celery app whose broker and result backend are the server at $PORT (databases 0
and 1), with the tasks tests/clients/celery_client.py calls."""
import os

from celery import Celery

PORT = os.environ["PORT"]
app = Celery(
    "celery_app",
    broker=f"redis://127.0.0.1:{PORT}/0",
    backend=f"redis://127.0.0.1:{PORT}/1",
)
app.conf.update(broker_connection_retry_on_startup=True)


@app.task
def add(x, y):
    return x + y


@app.task
def total(values):
    return sum(values)


@app.task
def fail():
    raise ValueError("boom")
