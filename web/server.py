"""Runs the web application under uvicorn (`hub serve`, `hub demo`), over HTTP or HTTPS.

Browsers allow the camera only on HTTPS pages (or localhost), so phones on the LAN need TLS:
either a certificate and key given on the command line, or a self-signed one made once and kept
in the data folder.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import ipaddress
import socket
from pathlib import Path

from hub.config import Settings


def self_signed(folder: Path) -> tuple[Path, Path]:
    """Returns (certificate, key) for this host, making them on first use."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    cert_path, key_path = folder / "tls-cert.pem", folder / "tls-key.pem"
    if cert_path.exists() and key_path.exists():
        return cert_path, key_path
    folder.mkdir(parents=True, exist_ok=True)
    key = ec.generate_private_key(ec.SECP256R1())
    host = socket.gethostname()
    names: list[x509.GeneralName] = [x509.DNSName("localhost"), x509.DNSName(host)]
    names += [x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
    with contextlib.suppress(OSError):
        names.append(x509.IPAddress(ipaddress.ip_address(socket.gethostbyname(host))))
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"hub {host}")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=825))
        .add_extension(x509.SubjectAlternativeName(names), critical=False)
        .sign(key, hashes.SHA256())
    )
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    key_path.chmod(0o600)
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return cert_path, key_path


WEBSOCKETS = "websockets-sansio"  # uvicorn's implementation on the websockets library's sans-I/O


def serve(
    settings: Settings,
    *,
    host: str,
    port: int,
    demo: bool = False,
    args: argparse.Namespace | None = None,
) -> int:
    from hub import heap

    heap.limit_arenas()  # before uvicorn, the media stack or a thread pool starts a thread
    import uvicorn

    from web.app import create_app

    if settings.is_sqlite:
        settings.ensure_data_dir()
    certfile = getattr(args, "certfile", None)
    keyfile = getattr(args, "keyfile", None)
    if getattr(args, "self_signed", False):
        cert, key = self_signed(settings.data_dir)
        certfile, keyfile = str(cert), str(key)
    scheme = "https" if certfile else "http"
    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    app = create_app(settings, demo=demo, self_url=f"{scheme}://{shown}:{port}", settle_heap=True)
    print(f"hub: store {settings.database_url}")
    print(f"hub: open {scheme}://{shown}:{port}/wall (console: /console, phones: /reporter)")
    if demo:
        print("hub: demo newsroom; sign in as zhang.wei (dispatcher) or wang.fang (reporter)")
        print("hub: every demo password is: demo")
    uvicorn.run(
        app,
        host=host,
        port=port,
        log_level="info",
        ssl_certfile=certfile,
        ssl_keyfile=keyfile,
        ws=WEBSOCKETS,
    )
    return 0
