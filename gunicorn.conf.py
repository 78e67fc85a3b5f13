"""Gunicorn settings we ship. Access logs carry no client address, referrer or query string,
and request paths are scrubbed of postcodes however the client encoded them; the error log
is scrubbed too and does not echo requests gunicorn cannot parse (see advocacy/logs.py)."""

import multiprocessing

wsgi_app = "wsgi:app"
bind = "127.0.0.1:8000"
workers = min(4, multiprocessing.cpu_count() * 2)
timeout = 30
logger_class = "advocacy.logs.GunicornLogger"
accesslog = "-"
access_log_format = '%(t)s "%(m)s %(U)s" %(s)s %(b)s %(M)sms'
