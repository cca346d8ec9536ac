"""A Flask hello-world: the yardstick bench/feeds.py measures the app against
(``gunicorn --chdir bench hello:app``), served with the same settings."""

from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello():
    return "Hello, World!"
