"""kg: publish the metadata of scholarly journals (their XML exports) as linked open data.

kg build INPUT... --out DIR [--base IRI]   build or update the knowledge graph
kg serve DIR [--host H] [--port P]         serve it (SPARQL, dumps, linked-data pages)
kg demo [--out DIR]                        build the bundled sample and serve it
kg validate INPUT... | --store DIR         check records against the SHACL shapes
kg publish DIR --to URL                    push the current release into a SPARQL 1.1 store
kg jsonld DIR --to FOLDER                  one schema.org JSON-LD file per article, for journal sites
kg bench --articles N                      the build benchmark on a synthetic corpus
kg export crossref|doaj DIR [--out FILE]   Crossref deposit or DOAJ article XML of the published articles
kg withdraw DIR FILE... [--reason TEXT]    take back what source files published, in a new release

The command is thin argument parsing over functions the tests call directly.
"""

from __future__ import annotations

import argparse
import errno
import logging
import os
import socket
import sys
from importlib import resources
from pathlib import Path
from typing import TextIO

from kg import __version__
from kg.build import EXIT_NOTHING_BUILT, EXIT_USAGE, BuildOptions, build
from kg.config import load_config, resolve_secret
from kg.pipeline import DEFAULT_BASE, map_inputs
from kg.publish.remote import add_publish_command
from kg.resources import MissingResource, check_install, sample_folder
from kg.validation.command import run as run_validation


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kg", description=__doc__.split("\n\n")[0])
    parser.add_argument("--version", action="version", version=f"kg {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug messages")
    commands = parser.add_subparsers(dest="command", required=True)

    build_cmd = commands.add_parser("build", help="build or update the knowledge graph from exports")
    build_cmd.add_argument("inputs", nargs="+", type=Path, help="export files and folders (searched for *.xml)")
    build_cmd.add_argument("--out", type=Path, required=True, help="output folder (store, releases, dumps)")
    _build_flags(build_cmd)

    demo = commands.add_parser(
        "demo",
        help="build the bundled sample and serve it",
        description="Build the bundled sample with the base IRI it is served at (so every IRI resolves) and serve it.",
    )
    demo.add_argument("--out", type=Path, default=Path("out"), help="output folder (default ./out)")
    demo.add_argument("--host", default="127.0.0.1")
    demo.add_argument("--port", type=int, default=8080)
    _build_flags(demo)

    serve = commands.add_parser("serve", help="serve a built output folder")
    serve.add_argument(
        "out", type=Path, nargs="?", default=None, help="the output folder of `kg build` (not with --store)"
    )
    serve.add_argument("--host", default=None, help="address to listen on (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=None, help="port (default 8080)")
    serve.add_argument("--config", type=Path, default=None, help="TOML configuration file")
    serve.add_argument(
        "--rate-limit",
        type=int,
        default=None,
        help="requests per client per rate_limit.window (60 s by default): rate_limit.requests; 0: off",
    )
    serve.add_argument(
        "--store", default=None, help="serve a SPARQL 1.1 store (its query URL) that `kg publish --to` fills"
    )
    add_publish_command(commands)

    validate = commands.add_parser("validate", help="validate exports or a built store against the shapes")
    validate.add_argument("inputs", nargs="*", type=Path, help="export files and folders")
    validate.add_argument("--store", type=Path, default=None, help="an output folder of `kg build`")
    validate.add_argument("--format", choices=("text", "turtle", "json"), default="text")
    validate.add_argument("--base", default=DEFAULT_BASE)
    validate.add_argument(
        "--engine",
        choices=("sparql", "pyshacl"),
        default="sparql",
        help="sparql: the build's validator (fast); pyshacl: the reference implementation",
    )

    jsonld = commands.add_parser("jsonld", help="write schema.org JSON-LD, one file per article")
    jsonld.add_argument("out", type=Path, help="the output folder of `kg build`")
    jsonld.add_argument("--to", type=Path, required=True, help="folder to write the JSON-LD files into")
    jsonld.add_argument("--base", default=None, help="public base IRI (default: the build's)")

    export = commands.add_parser("export", help="Crossref deposit or DOAJ article XML from the published graph")
    export.add_argument(
        "kind", choices=("crossref", "doaj"), help="crossref: deposit schema 5.3.1; doaj: doajArticles.xsd"
    )
    export.add_argument("out", type=Path, help="the output folder of `kg build`")
    export.add_argument("--journal", default=None, help="only the articles of this journal IRI")
    export.add_argument("--issue", default=None, help="only the articles of this issue IRI")
    export.add_argument("--out", dest="out_file", type=Path, default=None, help="file to write (default: stdout)")
    export.add_argument("--config", type=Path, default=None, help="TOML configuration file ([export.crossref] table)")

    withdraw = commands.add_parser("withdraw", help="take back what source files published, in a new release")
    withdraw.add_argument("out", type=Path, help="the output folder of `kg build`")
    withdraw.add_argument("files", nargs="+", type=Path, help="source files published into it before")
    withdraw.add_argument("--reason", default="withdrawn by the publisher", help="said with 410 Gone and in OAI-PMH")
    withdraw.add_argument("--config", type=Path, default=None, help="TOML configuration file ([build] table)")
    withdraw.add_argument(
        "--secret-file", type=Path, default=None, help="as for kg build (a copy read again keeps its person IRIs)"
    )
    withdraw.add_argument("--quiet", action="store_true", help="no summary")

    bench = commands.add_parser("bench", help="benchmark the build on a synthetic corpus", add_help=False)
    bench.add_argument("rest", nargs=argparse.REMAINDER)
    return parser


def _build_flags(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--base", default=None, help=f"base IRI of minted IRIs (default {DEFAULT_BASE}; kg demo: where it serves)"
    )
    command.add_argument("--config", type=Path, default=None, help="TOML configuration file ([build] table)")
    command.add_argument("--processes", type=int, default=None, help="worker processes (default: one per core)")
    command.add_argument(
        "--secret-file",
        type=Path,
        default=None,
        help="file holding the secret that keys person hashes (default $KG_SECRET or DIR/secret.key)",
    )
    command.add_argument("--no-validate", action="store_true", help="skip SHACL validation (not for publishing)")
    command.add_argument(
        "--force", action="store_true", help="read every input again, even those unchanged since the last build in DIR"
    )
    command.add_argument("--quiet", action="store_true", help="no progress bar and no summary")


def _incomplete_install(server: bool = False) -> int | None:
    """EXIT_USAGE, with the message, when this install lacks files it needs (shapes, ontology, templates)."""
    try:
        check_install(server=server)
    except MissingResource as error:
        print(f"kg: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    return None


def served_base(host: str, port: int) -> str:
    """The address a server listening on ``host:port`` is reached at (a wildcard address: this machine)."""
    if host in ("", "0.0.0.0"):
        host = "127.0.0.1"
    elif host == "::":
        host = "::1"
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}"


def port_in_use(host: str, port: int) -> str | None:
    """The message to print when ``host:port`` cannot be listened on (taken, or not an address here); else None.

    gunicorn would retry five times and exit without saying what to do, so the port is tried first.
    """
    try:
        infos = socket.getaddrinfo(host or None, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as error:
        return f"kg: error: cannot listen on {host}:{port}: {error}. Give another address with --host."
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as gunicorn binds: TIME_WAIT is no obstacle
        try:
            probe.bind(address)
        except OSError as error:
            if error.errno == errno.EADDRINUSE:
                return (
                    f"kg: error: port {port} on {host} is in use (is another server running?). "
                    f"Choose another port with --port, e.g. --port {port + 1}."
                )
            return f"kg: error: cannot listen on {host}:{port}: {error.strerror}. Give another address with --host."
    return None


def _serve(
    out: Path,
    host: str | None,
    port: int | None,
    config_file: Path | None,
    rate_limit: int | None = None,
    store_url: str | None = None,
) -> int:
    from kg.server.config import load_config as load_server_config
    from kg.server.serve import serve

    config = load_server_config(out, config_file, host=host, port=port, rate_limit=rate_limit, store_url=store_url)
    refused = port_in_use(config.host, config.port)
    if refused is not None:
        print(refused, file=sys.stderr)
        return EXIT_USAGE
    serve(out, host=host, port=port, config_file=config_file, rate_limit=rate_limit, store_url=store_url)
    return 0


def run_demo(args: argparse.Namespace) -> int:
    """Build the sample under the address it is served at, then serve it in a fresh process.

    The build opens RocksDB stores (pyoxigraph) in this process; a gunicorn worker forked from it would, on
    exit, wait for RocksDB's background threads, which exist only here (stopping took the whole graceful
    timeout, 35 s). So the server is started with exec, exactly as ``kg serve`` starts.
    """
    refused = _incomplete_install(server=True)
    if refused is not None:
        return refused
    taken = port_in_use(args.host, args.port)
    if taken is not None:
        print(taken, file=sys.stderr)
        return EXIT_USAGE
    if args.base is None:
        args.base = served_base(args.host, args.port)
    with resources.as_file(sample_folder()) as sample:
        code = run_build([sample], args.out, args)
    if code in (EXIT_NOTHING_BUILT, EXIT_USAGE):
        return code
    url = served_base(args.host, args.port) + "/"
    print(f"kg demo: serving {args.out} on {url} (Ctrl-C stops it)", file=sys.stderr, flush=True)
    command = [sys.executable, "-m", "kg.cli", "serve", str(args.out), "--host", args.host, "--port", str(args.port)]
    if args.config is not None:
        command += ["--config", str(args.config)]
    sys.stdout.flush()
    os.execv(sys.executable, command)
    return 0  # not reached


def run_build(inputs: list[Path], out: Path, args: argparse.Namespace) -> int:
    refused = _incomplete_install()  # before anything, the secret file included, is written into `out`
    if refused is not None:
        return refused
    settings = load_config(args.config).get("build", {})
    secret_file = args.secret_file or (Path(settings["secret_file"]) if settings.get("secret_file") else None)
    options = BuildOptions(
        base=args.base or settings.get("base", DEFAULT_BASE),
        secret=resolve_secret(out, secret_file),
        processes=args.processes or settings.get("processes"),
        validate=not args.no_validate and settings.get("validate", True),
        progress=False if args.quiet else None,
        force=args.force,
    )
    report = build(inputs, out, options)
    if not args.quiet or report.exit_code == EXIT_USAGE:  # a refusal is said even to --quiet
        print("\n".join(report.summary), file=sys.stderr)
    return report.exit_code


def run_validate(
    inputs: list[Path],
    store_dir: Path | None,
    format: str = "text",
    base: str = DEFAULT_BASE,
    engine: str = "sparql",
    out: TextIO | None = None,
) -> int:
    """``kg validate``: input files read and mapped as the build would (``kg.pipeline``), then validated,
    with the store of ``store_dir`` if given (``kg.validation.command``)."""
    articles, reader = map_inputs(inputs, base) if inputs else ([], [])
    return run_validation(articles, reader, store_dir, format, engine=engine, out=out)


def _bench(argv: list[str]) -> int:
    """``kg bench``: the build benchmark, which lives in the source checkout (``tests/benchmarks/``).

    It is a developer's tool with its own synthetic corpus, kept out of the installed package; from an
    editable install of a clone it is found beside the ``kg`` package.
    """
    checkout = Path(__file__).resolve().parent.parent
    if not (checkout / "tests" / "benchmarks" / "build_bench.py").is_file():
        print(
            "kg bench: the benchmarks are not part of the installed package. Clone kg's repository, install it "
            "with `pip install -e '.[test,bench]'` and run `kg bench` there.",
            file=sys.stderr,
        )
        return EXIT_USAGE
    if str(checkout) not in sys.path:
        sys.path.insert(0, str(checkout))
    from tests.benchmarks.build_bench import main as bench_main

    return bench_main(argv)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["bench"]:  # its own parser: argparse.REMAINDER does not pass on --options
        return _bench([arg for arg in argv[1:] if arg != "--"])
    args = _parser().parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    if args.command == "build":
        return run_build(args.inputs, args.out, args)
    if args.command == "demo":
        return run_demo(args)
    if args.command == "serve":
        refused = _incomplete_install(server=True)
        if refused is not None:
            return refused
        if args.out is None and args.store is None and args.config is None:
            print("kg serve: give the output folder DIR of kg build, or --store URL", file=sys.stderr)
            return EXIT_USAGE
        return _serve(args.out or Path("."), args.host, args.port, args.config, args.rate_limit, args.store)
    if args.command == "validate":
        refused = _incomplete_install()
        if refused is not None:
            return refused
        if not args.inputs and args.store is None:
            print("kg validate: give INPUT files/folders or --store DIR", file=sys.stderr)
            return EXIT_USAGE
        return run_validate(args.inputs, args.store, args.format, args.base, args.engine)
    if args.command == "publish":
        from kg.publish.remote import publish_command

        return publish_command(args)
    if args.command == "jsonld":
        from kg.publish.article_jsonld import export_command

        return export_command(args.out, args.to, args.base)
    if args.command == "export":
        from kg.export.command import export_command as export_files

        return export_files(args.kind, args.out, load_config(args.config), args.journal, args.issue, args.out_file)
    if args.command == "withdraw":
        return run_withdraw(args)
    return EXIT_USAGE


def run_withdraw(args: argparse.Namespace) -> int:
    """``kg withdraw``: the build's settings of the folder (base IRI from its release, secret from its
    folder or the [build] table), then ``kg.publish.withdraw``."""
    from kg.publish.layout import Layout
    from kg.publish.releases import published_base
    from kg.publish.withdraw import withdraw

    settings = load_config(args.config).get("build", {})
    secret_file = args.secret_file or (Path(settings["secret_file"]) if settings.get("secret_file") else None)
    options = BuildOptions(
        base=published_base(Layout(args.out)) or settings.get("base", DEFAULT_BASE),
        secret=resolve_secret(args.out, secret_file),
        validate=settings.get("validate", True),
        progress=False,
    )
    report = withdraw(args.out, args.files, args.reason, options)
    if not args.quiet or report.exit_code != 0:
        print("\n".join(report.summary), file=sys.stderr)
    return report.exit_code


if __name__ == "__main__":
    sys.exit(main())
