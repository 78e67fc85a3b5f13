"""docs/deploy.md marks the commands scripts/check-deploy runs; these keep the marks honest.

The check itself (a minute, as root) runs in ``bash scripts/test``. Here, in a second: the
marked blocks still hold every step a deployment needs, and every shell block left unmarked is
one the check stands in for on purpose, so unmarking a step can't quietly shrink the check.
"""

import re
from pathlib import Path

DOC = Path(__file__).resolve().parents[2] / "docs" / "deploy.md"
BLOCK = re.compile(
    r"(?:^(<!-- check(?:: in the background)? -->)\n)?^```(\w*)\n(.*?)^```$", re.M | re.S
)

# Shell blocks the check cannot run on a shared test machine, and what stands in for them.
STOOD_IN_FOR = {
    "systemctl enable --now postgresql redis-server": "its own PostgreSQL and Redis",
    "git clone ": "a copy of the checkout",
    "systemctl daemon-reload": "nothing: systemd is left out",
}


def blocks() -> list[tuple[str | None, str, str]]:
    return BLOCK.findall(DOC.read_text(encoding="utf-8"))


def test_every_step_a_deployment_needs_is_checked():
    checked = "\n".join(body for mark, _, body in blocks() if mark)
    for step in (
        "apt-get install -y python3-venv git curl postgresql redis-server",
        "pg_isready",
        "redis-cli -h 127.0.0.1 -p 6379 ping",
        "useradd --system --home-dir /srv/advocacy",
        "runuser -u postgres -- createuser advocacy",
        "cd /srv/advocacy/app",
        "python3 -m venv .venv",
        ".venv/bin/pip install -e '.[postgres,redis]'",
        "cat > instance/config.py",
        'RATELIMIT_STORAGE_URI = "redis://127.0.0.1:6379/0"',
        "flask --app advocacy staff create",
        "/api/v1/campaigns/stop-facial-recognition/letters",
    ):
        assert step in checked, step
    background = [body for mark, _, body in blocks() if mark.endswith("background -->")]
    assert background == ["runuser -u advocacy -- .venv/bin/gunicorn -c gunicorn.conf.py\n"]


def test_every_unchecked_shell_block_is_one_the_check_stands_in_for():
    for mark, language, body in blocks():
        if mark or language != "sh":
            continue
        assert any(body.startswith(command) for command in STOOD_IN_FOR), body


def test_the_check_reads_the_same_marks():
    script = (DOC.parent.parent / "scripts" / "check-deploy").read_text()
    assert "/^<!-- check -->$/" in script
    assert "/^<!-- check: in the background -->$/" in script


def test_the_service_runs_the_checked_server_command_where_the_check_ran_it():
    unit = next(body for _, language, body in blocks() if language == "ini")
    settings = dict(line.split("=", 1) for line in unit.splitlines() if "=" in line)
    checked = "\n".join(body for mark, _, body in blocks() if mark)
    assert f"cd {settings['WorkingDirectory']}\n" in checked
    server = next(body for mark, _, body in blocks() if mark.endswith("background -->"))
    command = server.split(" -- ", 1)[1].strip()  # after "runuser -u advocacy --"
    assert settings["ExecStart"] == f"{settings['WorkingDirectory']}/{command}"
    assert settings["User"] == server.split()[2] == "advocacy"
