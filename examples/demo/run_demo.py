"""The demo itself, run by ``demo.py`` inside ``.venv-demo``.

1. Local stand-ins for Tuner, Paygent, an OpenAI-compatible QA model and a
   webhook receiver start on 127.0.0.1 (one small HTTP server, counting what
   it receives).
2. The jackfield server starts on 127.0.0.1 with SQLite in a temporary data
   directory, the installed plugins and its in-process completion worker.
3. ``jackfield keys create demo`` makes an API key; a workflow with the four
   integration nodes is created through the HTTP API (its secrets come back
   masked); ``examples/call.json`` is run through it.
4. The run is polled until its completion is done, then its per-plugin status
   and annotations are printed, with what each stand-in service received.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from jackfield_server import Settings, create_app

EXAMPLES = Path(__file__).resolve().parent.parent
CONVERSATION = ("greet", "book", "bye")
QA_REVIEW = {
    "summary": "The caller booked a check-up for Tuesday at 9:30 and the agent confirmed it.",
    "nodes": {
        "greet": {
            "summary": "Friendly greeting; asked how to help.",
            "scores": {"tone": 5, "clarity": 5},
            "tags": ["greeting"],
        },
        "book": {
            "summary": "Found the next free slot and booked it after confirming the name.",
            "scores": {"accuracy": 5, "efficiency": 4},
            "tags": ["booking", "resolved"],
        },
    },
}


class StandIns(ThreadingHTTPServer):
    """One HTTP server answering for the four external services, counting requests."""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _StandInHandler)
        self.daemon_threads = True
        self.received: Counter[str] = Counter()
        self.webhook_bodies: list[Any] = []
        self.lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _StandInHandler(BaseHTTPRequestHandler):
    server: StandIns

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        path = self.path.split("?", 1)[0]
        with self.server.lock:
            self.server.received[path] += 1
            if path.startswith("/hooks/"):
                self.server.webhook_bodies.append(json.loads(body or b"null"))
        if path == "/qa/chat/completions":
            reply: Any = {
                "id": "chatcmpl-demo",
                "object": "chat.completion",
                "model": "gpt-4o-mini",
                "choices": [
                    {
                        "index": 0,
                        "finish_reason": "stop",
                        "message": {"role": "assistant", "content": json.dumps(QA_REVIEW)},
                    }
                ],
                "usage": {"prompt_tokens": 940, "completion_tokens": 160, "total_tokens": 1100},
            }
        else:
            reply = {"ok": True}
        payload = json.dumps(reply).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: what arrived is counted in ``server.received``."""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def workflow(services: str) -> dict[str, Any]:
    """A dental-booking workflow: three conversation nodes and the four integrations."""
    return {
        "nodes": [
            {
                "id": "greet",
                "type": "start",
                "data": {"name": "Greet", "prompt": "Greet the caller as Ava, Riverside Dental."},
            },
            {
                "id": "book",
                "type": "agent",
                "data": {"name": "Book", "prompt": "Find the next free slot and book it."},
            },
            {"id": "bye", "type": "end", "data": {"name": "Goodbye", "prompt": "Say goodbye."}},
            {
                "id": "qa",
                "type": "qa",
                "data": {
                    "name": "Call review",
                    "api_key": "sk-demo-qa-0123456789",
                    "base_url": f"{services}/qa",
                    "min_duration_s": 5,
                },
            },
            {
                "id": "tuner",
                "type": "tuner",
                "data": {
                    "name": "Tuner export",
                    "agent_id": "riverside-ava",
                    "workspace_id": 101,
                    "api_key": "tk-demo-0123456789",
                    "base_url": f"{services}/tuner",
                    "calculate_cost": True,
                    "llm_input_usd_per_1m_tokens": 0.15,
                    "llm_output_usd_per_1m_tokens": 0.6,
                },
            },
            {
                "id": "paygent",
                "type": "paygent",
                "data": {
                    "name": "Billing",
                    "api_key": "pg-demo-0123456789",
                    "agent_id": "riverside-ava",
                    "customer_id": "riverside-dental",
                    "indicator": "per-minute-call",
                    "base_url": f"{services}/paygent",
                },
            },
            {
                "id": "crm",
                "type": "webhook",
                "data": {
                    "name": "CRM update",
                    "endpoint_url": f"{services}/hooks/crm",
                    "payload_template": {
                        "run": "{{ run.id }}",
                        "summary": "{{ annotations.qa.summary | default('no review') }}",
                        "tags": "{{ annotations.qa.tags }}",
                        "recording": "{{ recording_url }}",
                    },
                },
            },
        ],
        "edges": [
            {"id": "e1", "source": "greet", "target": "book", "data": {"label": "wants a slot"}},
            {"id": "e2", "source": "book", "target": "bye", "data": {"label": "booked"}},
        ],
    }


def start_server(data_dir: Path) -> tuple[str, uvicorn.Server, threading.Thread]:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    settings = Settings.from_env(
        {"JACKFIELD_DATA_DIR": str(data_dir), "JACKFIELD_PUBLIC_URL": base}
    )
    server = uvicorn.Server(
        uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            sys.exit("the jackfield server did not start")
        time.sleep(0.05)
    return base, server, thread


def create_key(data_dir: Path) -> str:
    jackfield = Path(sys.executable).with_name("jackfield")
    made = subprocess.run(
        [str(jackfield), "keys", "create", "demo"],
        env={**os.environ, "JACKFIELD_DATA_DIR": str(data_dir)},
        capture_output=True,
        text=True,
        check=True,
    )
    return made.stdout.strip().splitlines()[-1]


def main() -> int:
    """Run the demo; ``--json`` prints only a JSON summary at the end (for tests)."""
    as_json = "--json" in sys.argv[1:]
    console = Console(quiet=as_json)
    data_dir = Path(tempfile.mkdtemp(prefix="jackfield-demo-"))
    services = StandIns()
    threading.Thread(target=services.serve_forever, daemon=True).start()
    try:
        base, server, thread = start_server(data_dir)
        console.print(f"[bold]jackfield server[/] on {base} (SQLite in {data_dir})")
        console.print(f"[bold]stand-in services[/] on {services.url}")
        headers = {"Authorization": f"Bearer {create_key(data_dir)}"}
        with httpx.Client(base_url=f"{base}/api/v1", headers=headers, timeout=30) as api:
            plugins = api.get("/plugins").raise_for_status().json()
            loaded = sorted(p["name"] for p in plugins if p["status"] == "loaded")
            console.print(f"[bold]plugins loaded:[/] {', '.join(loaded)}")

            created = (
                api.post(
                    "/workflows",
                    json={"name": "Dental bookings", "definition": workflow(services.url)},
                )
                .raise_for_status()
                .json()
            )
            masked = {n["id"]: n["data"].get("api_key") for n in created["definition"]["nodes"]}
            console.print(
                f"[bold]workflow created[/] {created['id']}; secrets come back masked: "
                f"qa api_key = {masked['qa']!r}"
            )

            events = json.loads((EXAMPLES / "call.json").read_text())
            run = (
                api.post(f"/workflows/{created['id']}/runs", json={"events": events})
                .raise_for_status()
                .json()
            )
            console.print(f"[bold]call replayed[/] as run {run['id']}; completion queued")

            with Progress(
                SpinnerColumn(),
                TextColumn("{task.description}"),
                TimeElapsedColumn(),
                console=console,
                transient=True,
            ) as progress:
                task = progress.add_task("waiting for post-call completion ...")
                deadline = time.monotonic() + 120
                while True:
                    run = api.get(f"/runs/{run['id']}").raise_for_status().json()
                    statuses = [p["status"] for p in run["completion"]["plugins"].values()]
                    waiting = sum(s == "pending" for s in statuses)
                    progress.update(
                        task,
                        description=f"run {run['state']}: {len(statuses) - waiting}/"
                        f"{len(statuses)} plugins final",
                    )
                    if run["state"] in ("completed", "failed") or time.monotonic() > deadline:
                        break
                    time.sleep(0.3)

        table = Table(title="post-call completion")
        for column in ("plugin", "status", "nodes"):
            table.add_column(column)
        for name, plugin in sorted(run["completion"]["plugins"].items()):
            nodes = ", ".join(f"{n['node_id']}={n['status']}" for n in plugin["nodes"])
            table.add_row(name, plugin["status"], nodes)
        console.print(table)
        console.print("[bold]annotations[/]")
        console.print_json(data=run["annotations"])
        console.print(f"[bold]stand-in services received[/] {dict(services.received)}")
        if services.webhook_bodies:
            console.print("[bold]webhook payload[/]")
            console.print_json(data=services.webhook_bodies[-1])
        if as_json:
            summary = {
                "state": run["state"],
                "plugins": {k: v["status"] for k, v in run["completion"]["plugins"].items()},
                "received": dict(services.received),
                "webhook": services.webhook_bodies,
                "masked_qa_api_key": masked["qa"],
            }
            print(json.dumps(summary))
        server.should_exit = True
        thread.join(timeout=10)
        return 0 if run["state"] == "completed" else 1
    finally:
        services.shutdown()
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
