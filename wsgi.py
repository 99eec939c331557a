from app import create_app
from app.jobs.runner import register_scheduler

app = create_app()
# Only with SCHEDULER_ENABLED=1 (a one-machine install, `make run`); never in gunicorn workers.
register_scheduler(app)
