"""Celery: Redis as broker and result backend when REDIS_URL is set, eager otherwise.

The beat schedule lives beside the app in portal/celery.py.
"""

from portal.settings.env import BASE_DIR, env

_redis_url = env.str("REDIS_URL", default="")

# Eager mode still serialises through a producer: give the in-memory transport a host
# so kombu does not warn about a missing one on every process's first task.
CELERY_BROKER_URL = _redis_url or "memory://localhost/"
CELERY_RESULT_BACKEND = _redis_url or None
# NOTE: without Redis (the one-command start) tasks run in-process at .delay() time,
# so the portal behaves the same with no worker running.
CELERY_TASK_ALWAYS_EAGER = not _redis_url
CELERY_TASK_EAGER_PROPAGATES = True
# Nothing reads task results: progress and outcomes live in database rows. Ignoring
# them also keeps a publish from touching the result backend.
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"

# Defaults for every task; each task in sso_apps/tasks.py also states its own limits.
CELERY_TASK_SOFT_TIME_LIMIT = 60
CELERY_TASK_TIME_LIMIT = 90
# Acknowledge after the task ran, and give the message back when the worker process
# dies, so a killed worker's task runs again. Every task here is idempotent.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True

# --- Worker
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_WORKER_MAX_TASKS_PER_CHILD = env.int("CELERY_WORKER_MAX_TASKS_PER_CHILD", default=1000)
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = True
CELERY_WORKER_SEND_TASK_EVENTS = False

# --- Broker connection
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_TIMEOUT = 3
# A publish while Redis is down must fail within about a second, so the admin's request
# returns at once; the notification row stays pending and the sweeper re-queues it.
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.5,
}
# visibility_timeout: a message a worker took but never acknowledged (the worker was
# killed) goes back to the queue after this many seconds. It must exceed the longest
# retry countdown (notification backoff is capped at one hour) or Redis would hand a
# waiting retry to a second worker. CELERY_BROKER_TRANSPORT_OPTIONS (JSON) overrides
# any of these, e.g. the integration tests use a visibility_timeout of a few seconds.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": 2 * 3600,
    "socket_connect_timeout": 3,
    **env.json("CELERY_BROKER_TRANSPORT_OPTIONS", default={}),
}
CELERY_RESULT_EXPIRES = 24 * 3600

# --- Beat: the schedule file lives in the git-ignored var/ folder, which BeatScheduler
# creates when it is missing.
CELERY_BEAT_SCHEDULER = "portal.celery:BeatScheduler"
CELERY_BEAT_SCHEDULE_FILENAME = env.str(
    "CELERY_BEAT_SCHEDULE_FILENAME", default=str(BASE_DIR / "var" / "celerybeat-schedule")
)

# --- Logging: keep Django's LOGGING (structlog, JSON in production) in the worker and beat
# instead of Celery replacing the root logger's handlers with its own format.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
