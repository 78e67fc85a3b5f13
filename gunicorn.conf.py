"""Gunicorn settings we ship. Access logs carry no client address, referrer or query string,
and request paths are scrubbed of postcodes however the client encoded them; the error log
is scrubbed too and does not echo requests gunicorn cannot parse (see advocacy/platform/logs.py).

Threaded workers (gthread): a supporter waiting on postcodes.io holds one thread, not a whole
worker, so the campaign page, the lists and the letters go on being served beside a surge of
lookups. Each worker lets at most POSTCODES_MAX_IN_FLIGHT lookups out at once
(advocacy/platform/config.py), well under its threads, so threads are always left for everything
else. benchmarks/README.md says why this model and not sync or gevent workers.
"""

import multiprocessing

wsgi_app = "wsgi:app"
bind = "127.0.0.1:8000"
workers = min(4, multiprocessing.cpu_count() * 2)
worker_class = "gthread"
threads = 48
keepalive = 0
timeout = 30
logger_class = "advocacy.platform.logs.GunicornLogger"
accesslog = "-"
access_log_format = '%(t)s "%(m)s %(U)s" %(s)s %(b)s %(M)sms'
