"""Signing staff in through the real forms, for the studio tests (CSRF and all)."""

import re

STAFF_PASSWORD = "correct horse battery staple"
CSRF_FIELD = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_token(client, path: str = "/admin/login") -> str:
    """The CSRF token a staff page carries, read from the page like a browser would."""
    match = CSRF_FIELD.search(client.get(path).get_data(as_text=True))
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def add_staff(app, email: str, role: str = "editor", password: str = STAFF_PASSWORD, **kwargs):
    from advocacy.studio.staff import create_staff

    with app.app_context():
        return create_staff(email, role, password, **kwargs).id


def sign_in(client, email: str, password: str = STAFF_PASSWORD):
    """Sign in through the real form (CSRF and all); returns the response."""
    token = csrf_token(client, "/admin/login")
    return client.post(
        "/admin/login", data={"email": email, "password": password, "csrf_token": token}
    )
