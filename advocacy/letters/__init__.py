"""The pure core: the campaign document and its checks, the composer, the send links and
``.eml``, addressing, Markdown and sanitising. No Flask, no database (a test holds it to
that: tests/test_architecture.py)."""
