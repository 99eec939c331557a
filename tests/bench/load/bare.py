"""The yardstick: a bare Flask endpoint, served by the same gunicorn as the app (`load_bare_flask_rps`)."""

from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello():
    return "ok"
