"""What gunicorn/waitress serve: `waitress-serve wsgi:app` (LANTIAN_CONFIG=production in production)."""
from registry import create_app

app = create_app()
