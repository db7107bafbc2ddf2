"""A plain JSON-RPC client for `alignrules lsp`, driving the server as a subprocess over stdio.

Written against the protocol (Content-Length framed JSON), not against pygls, so that the
tests see exactly the bytes an editor would.
"""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import IO, Any


class LspClient:
    """One server process. `request` waits for the answer; notifications are queued."""

    def __init__(self, cwd: Path, init_options: dict[str, Any] | None = None) -> None:
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "alignrules", "lsp", "--stdio"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=cwd,
            env=env,
        )
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self._in: IO[bytes] = self.proc.stdin
        self._messages: queue.Queue[dict[str, Any]] = queue.Queue()
        self._notifications: list[dict[str, Any]] = []
        self._next_id = 0
        threading.Thread(target=self._read, args=(self.proc.stdout,), daemon=True).start()
        self.root = cwd
        self.initialize_result = self.request(
            "initialize",
            {
                "processId": os.getpid(),
                "rootUri": cwd.as_uri(),
                "capabilities": {},
                "initializationOptions": init_options or {},
            },
        )
        self.notify("initialized", {})

    def _read(self, out: IO[bytes]) -> None:
        while True:
            headers: dict[str, str] = {}
            while True:
                line = out.readline()
                if not line:
                    return
                if line in (b"\r\n", b"\n"):
                    break
                key, _, value = line.decode("ascii").partition(":")
                headers[key.strip().lower()] = value.strip()
            body = out.read(int(headers["content-length"]))
            self._messages.put(json.loads(body.decode("utf-8")))

    def _send(self, message: dict[str, Any]) -> None:
        body = json.dumps({"jsonrpc": "2.0", **message}).encode("utf-8")
        self._in.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self._in.flush()

    def notify(self, method: str, params: Any) -> None:
        self._send({"method": method, "params": params})

    def request(self, method: str, params: Any, timeout: float = 30) -> Any:
        self._next_id += 1
        ident = self._next_id
        self._send({"id": ident, "method": method, "params": params})
        deadline = time.monotonic() + timeout
        while True:
            message = self._messages.get(timeout=max(0.01, deadline - time.monotonic()))
            if message.get("id") == ident and "method" not in message:
                if "error" in message:
                    raise AssertionError(f"{method}: {message['error']}")
                return message.get("result")
            self._notifications.append(message)

    def wait_for(self, method: str, uri: str | None = None, timeout: float = 30) -> dict[str, Any]:
        """The next notification `method` (for `uri`), taking queued ones first."""
        deadline = time.monotonic() + timeout
        while True:
            for i, m in enumerate(self._notifications):
                if m.get("method") == method and (uri is None or m["params"].get("uri") == uri):
                    return self._notifications.pop(i)["params"]  # type: ignore[no-any-return]
            message = self._messages.get(timeout=max(0.01, deadline - time.monotonic()))
            self._notifications.append(message)

    def diagnostics(self, uri: str, timeout: float = 30) -> list[dict[str, Any]]:
        return self.wait_for("textDocument/publishDiagnostics", uri, timeout)["diagnostics"]  # type: ignore[no-any-return]

    def drain(self) -> None:
        """Forget the notifications received so far."""
        self.drain_into_queue()
        self._notifications.clear()

    def open(self, path: Path, text: str | None = None) -> str:
        uri = path.resolve().as_uri()
        content = path.read_text("utf-8") if text is None else text
        self.notify(
            "textDocument/didOpen",
            {
                "textDocument": {
                    "uri": uri,
                    "languageId": "alignrules",
                    "version": 1,
                    "text": content,
                }
            },
        )
        return uri

    def change(self, uri: str, version: int, text: str) -> None:
        self.notify(
            "textDocument/didChange",
            {"textDocument": {"uri": uri, "version": version}, "contentChanges": [{"text": text}]},
        )

    def received(self, method: str) -> list[dict[str, Any]]:
        """The notifications `method` received so far and not yet taken (then forgotten)."""
        self.drain_into_queue()
        found = [m["params"] for m in self._notifications if m.get("method") == method]
        self._notifications = [m for m in self._notifications if m.get("method") != method]
        return found

    def drain_into_queue(self) -> None:
        while True:
            try:
                self._notifications.append(self._messages.get_nowait())
            except queue.Empty:
                return

    def close(self) -> tuple[int, bytes]:
        """Shut the server down as an editor does; its exit code and what it wrote to stderr."""
        try:
            self.request("shutdown", None, timeout=10)
            self.notify("exit", None)
            code = self.proc.wait(timeout=10)
            assert self.proc.stderr is not None
            return code, self.proc.stderr.read()
        finally:
            if self.proc.poll() is None:
                self.proc.kill()
                self.proc.wait()
            for stream in (self.proc.stdin, self.proc.stdout, self.proc.stderr):
                if stream is not None:
                    stream.close()
