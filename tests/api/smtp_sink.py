"""A real SMTP peer for the outbox tests: Debian's aiosmtpd on 127.0.0.1:<free port>, in a thread
of the test process. It keeps every message it accepts (envelope and raw bytes) and can be told
to answer 451 to the next N DATA commands (a transient failure) or 550 to given recipients (a
permanent one). Optionally it requires AUTH PLAIN over the plain connection, and with
`eight_bit=False` it does not offer 8BITMIME, so the client must send base64."""

from __future__ import annotations

import email
import email.policy
import threading
import time
from dataclasses import dataclass, field

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from support import free_port


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    raw: bytes
    mail_options: list[str]
    login: str | None

    def message(self) -> email.message.EmailMessage:
        return email.message_from_bytes(self.raw, policy=email.policy.default)


@dataclass
class _State:
    received: list[Received] = field(default_factory=list)
    fail_data: int = 0                 # answer 451 to this many more DATA commands
    reject: set[str] = field(default_factory=set)  # recipients answered 550
    data_commands: int = 0             # DATA commands that reached the end of data
    rcpt_commands: dict[str, int] = field(default_factory=dict)


class _Handler:
    def __init__(self, sink: "SmtpSink"):
        self.sink = sink

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        with self.sink.cond:
            st = self.sink.state
            st.rcpt_commands[address] = st.rcpt_commands.get(address, 0) + 1
            if address.lower() in st.reject:
                return f"550 5.1.1 <{address}>: Recipient address rejected: User unknown"
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server, session, envelope):
        with self.sink.cond:
            st = self.sink.state
            st.data_commands += 1
            if st.fail_data > 0:
                st.fail_data -= 1
                return "451 4.3.0 Temporary local problem, try again later"
            login = session.auth_data if session.authenticated else None
            st.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos),
                                        bytes(envelope.original_content), list(
                                            envelope.mail_options), login))
            n = len(st.received)
            self.sink.cond.notify_all()
        return f"250 2.0.0 Ok: queued as SINK{n}"


class SmtpSink:
    def __init__(self, auth: tuple[str, str] | None = None, eight_bit: bool = True):
        self.port = free_port()
        self.cond = threading.Condition()
        self.state = _State()
        self.auth = auth
        kwargs = {"decode_data": not eight_bit}
        if auth is not None:
            kwargs.update(auth_required=True, auth_require_tls=False,
                          authenticator=self._authenticate)
        self.controller = Controller(_Handler(self), hostname="127.0.0.1", port=self.port,
                                     server_hostname="sink.test", **kwargs)

    def _authenticate(self, server, session, envelope, mechanism, auth_data):
        ok = (mechanism == "PLAIN" and isinstance(auth_data, LoginPassword) and self.auth
              and (auth_data.login.decode(), auth_data.password.decode()) == self.auth)
        return AuthResult(success=bool(ok), handled=False,
                          auth_data=auth_data.login.decode() if ok else None)

    def start(self) -> "SmtpSink":
        self.controller.start()
        return self

    def stop(self) -> None:
        self.controller.stop()

    # --- configuring failures --------------------------------------------------------------

    def fail_next_data(self, n: int) -> None:
        with self.cond:
            self.state.fail_data = n

    def reject_recipient(self, address: str) -> None:
        with self.cond:
            self.state.reject.add(address.lower())

    # --- reading what arrived --------------------------------------------------------------

    def data_commands(self) -> int:
        with self.cond:
            return self.state.data_commands

    def rcpt_commands(self, address: str) -> int:
        with self.cond:
            return self.state.rcpt_commands.get(address, 0)

    def messages_to(self, address: str) -> list[Received]:
        with self.cond:
            return [m for m in self.state.received if address in m.rcpt_tos]

    def wait_for(self, address: str, count: int = 1, timeout: float = 60.0) -> list[Received]:
        """Waits until `count` messages to `address` have arrived (polls, generous timeout)."""
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                got = [m for m in self.state.received if address in m.rcpt_tos]
                left = deadline - time.monotonic()
                if len(got) >= count or left <= 0:
                    return got
                self.cond.wait(timeout=min(left, 0.5))
