"""A real local SMTP server (aiosmtpd) and a local HTTP receiver standing in for a 企业微信 / 钉钉 group robot,
for the notification tests of every app. Import smtp_server_fixture and
robot_fixture into a test module to use the fixtures `smtp_server` and `robot`."""

from __future__ import annotations

import json
import socket
import threading
from email import message_from_bytes, policy
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from aiosmtpd.controller import Controller


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        mail = message_from_bytes(envelope.content, policy=policy.default)
        self.messages.append(
            {
                "to": list(envelope.rcpt_tos),
                "subject": str(mail["subject"]).strip(),  # unfolded encoded words keep a leading space
                "body": mail.get_body(preferencelist=("plain",)).get_content(),
            }
        )
        return "250 OK"


@pytest.fixture(name="smtp_server")
def smtp_server_fixture(settings):
    """Mail goes over SMTP to a server on 127.0.0.1; returns the list of received messages (to, subject, body)."""
    inbox = _Inbox()
    port = _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    yield inbox.messages
    controller.stop()


class Robot:
    """What the group robot received, and what it answers next (status, JSON)."""

    def __init__(self):
        self.posts: list[dict] = []
        self.answer_status = 200
        self.answer = {"errcode": 0, "errmsg": "ok"}


@pytest.fixture(name="robot")
def robot_fixture(settings):
    state = Robot()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            length = int(self.headers["Content-Length"])
            state.posts.append(json.loads(self.rfile.read(length)))
            body = json.dumps(state.answer).encode()
            self.send_response(state.answer_status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.NOTIFY_WEBHOOK_URL = f"http://127.0.0.1:{server.server_port}/cgi-bin/webhook/send?key=test"
    yield state
    server.shutdown()
    server.server_close()
