"""The API's subcommands of ``casework``: serve, token, openapi."""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import functools
import json
import signal
import sys
import tempfile
from pathlib import Path
from typing import Any

import psycopg
import structlog
import uvicorn
from litestar import Litestar
from litestar.serialization import encode_json
from uvicorn.config import STARTUP_FAILURE
from uvicorn.supervisors import Multiprocess

from api.app import create_app
from api.auth import issue_token, jwt_secret
from api.console import CREATE_LINKS
from api.console.session import sign_in_link
from api.idempotency import CREATE as CREATE_IDEMPOTENCY
from api.state import ApiState
from api.writes import LastWrites
from casework.logging import configure_logging
from casework.runtime import Runtime, assemble, running
from casework.settings import Settings
from casework.signing import public_key_from, signer_from
from projections import reconciliation
from projections.models import all_projections
from projections.runner import ProjectionRunner, Projector

log = structlog.get_logger("casework.api")


def _state(settings: Settings, runtime: Runtime, *, run_projections: bool) -> ApiState:
    return ApiState(
        settings=settings,
        database_url=runtime.database_url,
        app=runtime.app,
        vault=runtime.vault,
        jwt_secret=jwt_secret(settings.jwt_secret, settings.data_dir),
        run_projections=run_projections,
        # Only the process that runs the projections holds the private key: it signs.
        signer=signer_from(settings.signing_key, settings.data_dir) if run_projections else None,
        public_key=public_key_from(settings.public_key, settings.signing_key, settings.data_dir),
    )


def _uvicorn_config(app: Any, host: str, port: int, **more: Any) -> uvicorn.Config:
    return uvicorn.Config(
        app,
        host=host,
        port=port,
        log_config=None,
        access_log=False,
        loop="uvloop",
        http="httptools",
        lifespan="on",
        timeout_graceful_shutdown=20,
        # casework never reads the client's address (its logs name requests, not people), so
        # uvicorn need not rewrite it from X-Forwarded-For on every request.
        proxy_headers=False,
        **more,
    )


def _serve(settings: Settings, args: argparse.Namespace) -> int:
    host = args.host or settings.host
    port = args.port or settings.port
    workers = settings.workers if args.workers is None else args.workers
    if workers < 1:
        print("casework serve: --workers (CASEWORK_WORKERS) must be 1 or more", file=sys.stderr)
        return 2
    with running(settings) as runtime:
        log.info(
            "serving",
            url=f"http://{host}:{port}",
            docs=f"http://{host}:{port}/schema",
            database="embedded" if not settings.database_url else "configured",
            workers=workers,
        )
        if args.console_link:
            link = sign_in_link(
                jwt_secret(settings.jwt_secret, settings.data_dir),
                _console_url(settings, host, port),
                role="city_office",
                subject="operator",
            )
            print(
                f"\nweb console (控制台): open {link}\n"
                "  (signs in once, within 15 minutes, as the city office's operator; "
                "`casework token --role R --subject S --link` makes another)\n",
                flush=True,
            )
        # uvicorn drains in-flight requests on SIGTERM/SIGINT, the lifespan stops the runners,
        # and uvicorn then re-raises the signal under the handlers it found: make those no-ops
        # so that this process goes on to stop the embedded database and exit 0.
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, lambda *_: None)
        code = 0
        if workers == 1:
            state = _state(settings, runtime, run_projections=not args.no_projections)
            uvicorn.Server(_uvicorn_config(create_app(state), host, port)).run()
        else:
            code = _serve_workers(settings, runtime, host, port, workers, projections=not args.no_projections)
    log.info("stopped")
    return code


def _serve_workers(
    settings: Settings, runtime: Runtime, host: str, port: int, workers: int, *, projections: bool
) -> int:
    """Several API processes on one socket (one per core): this process supervises them,
    restarts one that dies, and runs the projections itself, so that there is one runner."""
    # The keys made here, before any worker starts (the workers then only read them); the
    # JWT secret is handed on as a setting.
    signer = signer_from(settings.signing_key, settings.data_dir) if projections else None
    shared = dataclasses.replace(
        settings,
        database_url=runtime.database_url,
        jwt_secret=jwt_secret(settings.jwt_secret, settings.data_dir),
        # The workers serve signed heads and need only the public half of the key.
        public_key=public_key_from(settings.public_key, settings.signing_key, settings.data_dir),
    )
    runner = None
    if projections:
        runner = ProjectionRunner(
            runtime.app,
            runtime.database_url,
            signer=signer,
            batch_size=settings.projection_batch,
            idempotency_ttl_hours=settings.idempotency_ttl_hours,
        )
        runner.start()
    try:
        with tempfile.TemporaryDirectory(prefix="casework-workers-") as claims:
            written = LastWrites(rows=2 * workers, claims=Path(claims))
            config = _uvicorn_config(
                functools.partial(worker_app, shared, written), host, port, factory=True, workers=workers
            )
            supervisor = Multiprocess(config, sockets=[config.bind_socket()])
            supervisor.run()
    finally:
        if runner is not None:
            runner.stop()
    # A worker that could not start (the database unreachable, say) made uvicorn stop them
    # all: end as one process would, with uvicorn's code for it, so that systemd or
    # Kubernetes starts the service again.
    if any(process.exitcode == STARTUP_FAILURE for process in supervisor.processes):
        log.error("a worker could not start: stopped")
        return STARTUP_FAILURE
    return 0


def worker_app(settings: Settings, written: LastWrites) -> Litestar:
    """The API of one worker process of ``serve --workers`` (started by uvicorn, in spawn)."""
    configure_logging(settings.log_format, settings.log_level)
    try:
        written.claim()
        assert settings.database_url is not None, "the supervisor passes its database on"
        runtime = assemble(settings, settings.database_url)
        state = _state(settings, runtime, run_projections=False)
    except Exception:
        # uvicorn would restart a worker that raised here, every half second, for ever;
        # this code instead stops the service, as a failed start of one process does.
        log.exception("worker could not start")
        sys.exit(STARTUP_FAILURE)
    state.written = written
    app = create_app(state)
    app.on_shutdown.append(runtime.app.close)
    return app


def _console_url(settings: Settings, host: str | None = None, port: int | None = None) -> str:
    """Where a browser on this machine reaches serve (a wildcard address is reached on loopback)."""
    host = host or settings.host
    shown = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host  # noqa: S104 - compared, not bound
    return f"http://{shown}:{port or settings.port}"


def _token(settings: Settings, args: argparse.Namespace) -> int:
    secret = jwt_secret(settings.jwt_secret, settings.data_dir)
    try:
        if args.link:
            print(
                sign_in_link(
                    secret,
                    _console_url(settings),
                    role=args.role,
                    subject=args.subject,
                    county=args.county,
                    session=dt.timedelta(hours=args.ttl),
                )
            )
            return 0
        token = issue_token(
            secret,
            role=args.role,
            subject=args.subject,
            county=args.county,
            ttl=dt.timedelta(hours=args.ttl),
            issuer=settings.jwt_issuer,
            audience=settings.jwt_audience,
        )
    except ValueError as error:
        print(f"casework token: {error}", file=sys.stderr)
        return 2
    print(token)
    return 0


def openapi_document() -> dict[str, object]:
    """The OpenAPI document the app serves (built without a database)."""
    app = create_app(None)  # type: ignore[arg-type]  # the schema needs no state
    # Encoded as the app serves it (a Decimal default becomes a string, as in the answers).
    schema: dict[str, object] = json.loads(encode_json(app.openapi_schema.to_schema()))
    return schema


def _openapi(settings: Settings, args: argparse.Namespace) -> int:
    text = json.dumps(openapi_document(), ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    if args.output == "-":
        sys.stdout.write(text)
    else:
        with open(args.output, "w", encoding="utf-8") as f:
            f.write(text)
    return 0


def _prepare(settings: Settings, args: argparse.Namespace) -> int:
    """Create every table (event store, read side, reports, idempotency keys), rebuild the read
    models an earlier release made, then exit."""
    with running(settings) as runtime:
        projector = Projector(runtime.app, runtime.database_url)
        try:
            for projection in all_projections():
                projector.ensure(projection)
            projector.bring_up_to_date(all_projections())
        finally:
            projector.close()
        with psycopg.connect(runtime.database_url, autocommit=True) as conn:
            reconciliation.ensure_tables(conn)
            for statement in (*CREATE_IDEMPOTENCY, *CREATE_LINKS):
                conn.execute(statement)
    log.info("prepared", projections=[p.name for p in all_projections()])
    return 0


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add serve, token and openapi to the ``casework`` command."""
    serve = sub.add_parser(
        "serve", help="serve the API (and run the projections) on CASEWORK_HOST:CASEWORK_PORT"
    )
    serve.add_argument("--host", default=None)
    serve.add_argument("--port", type=int, default=None)
    serve.add_argument(
        "--no-projections", action="store_true", help="leave the projections to `casework project`"
    )
    serve.add_argument(
        "--workers",
        type=int,
        default=None,
        help="API processes on the one port (CASEWORK_WORKERS, default 1; one per core)",
    )
    serve.add_argument(
        "--console-link",
        action="store_true",
        help="print a one-time sign-in link to the web console (/console) for the local operator "
        "(city office); a new one at each start",
    )
    serve.set_defaults(run=_serve)
    token = sub.add_parser("token", help="print a bearer token")
    token.add_argument("--role", required=True)
    token.add_argument("--subject", required=True)
    token.add_argument("--county", default=None)
    token.add_argument("--ttl", type=float, default=8.0, help="hours")
    token.add_argument(
        "--link",
        action="store_true",
        help="print a one-time sign-in link to the web console instead (good for 15 minutes, once; "
        "the session lasts --ttl hours)",
    )
    token.set_defaults(run=_token)
    openapi = sub.add_parser("openapi", help="write the OpenAPI document")
    openapi.add_argument("--output", default="-")
    openapi.set_defaults(run=_openapi)
    prepare = sub.add_parser("prepare", help="create every table, then exit (a deployment's migration step)")
    prepare.set_defaults(run=_prepare)
