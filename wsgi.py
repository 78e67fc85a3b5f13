"""WSGI entry point: ``gunicorn wsgi:app`` (``flask run`` also finds it)."""

from advocacy import create_app

app = create_app()
