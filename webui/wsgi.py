"""WSGI entry for gunicorn: `gunicorn 'webui.wsgi:app'` (settings from the environment)."""

from webui import create_app

app = create_app()
