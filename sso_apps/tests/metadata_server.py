"""A local web server on 127.0.0.1 that publishes SP metadata, for the metadata URL tests.

HTTPS with a certificate from a throwaway CA made by `cryptography` (trusted by passing
its file as the CA bundle, SSO_APPS_METADATA_CA_FILE in Django tests), or plain HTTP for
the refusal cases. Each path answers as its Route says: a body, a status, a redirect, a
delay before answering, or a body trickled out byte by byte.
"""

import datetime
import functools
import ipaddress
import ssl
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID


@dataclass
class Route:
    """How the server answers one path."""

    body: bytes = b""
    status: int = 200
    content_type: str = "application/samlmetadata+xml"
    location: str | None = None  # a redirect target
    delay_seconds: float = 0.0  # before the status line
    trickle_seconds: float = 0.0  # between single bytes of the body
    send_length: bool = True


@dataclass
class MetadataServer:
    """A running server: its base URL, its routes (editable while it runs) and the hits."""

    base_url: str
    ca_file: str | None
    routes: dict[str, Route] = field(default_factory=dict)
    hits: list[str] = field(default_factory=list)

    def url(self, path: str) -> str:
        return self.base_url + path


@dataclass(frozen=True)
class TlsFiles:
    ca_file: str
    cert_file: str
    key_file: str


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _pem_key(key) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


@functools.cache
def _tls_material(label: str) -> tuple[bytes, bytes, bytes]:
    """Return (CA cert, server cert, server key) PEMs for 127.0.0.1 from a fresh CA."""
    now = datetime.datetime.now(datetime.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_cert = (
        x509.CertificateBuilder()
        .subject_name(_name(f"Tessera test CA {label}"))
        .issuer_name(_name(f"Tessera test CA {label}"))
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                key_cert_sign=True,
                crl_sign=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(
            x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name("127.0.0.1"))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=30))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.IPv4Address("127.0.0.1")), x509.DNSName("localhost")]
            ),
            critical=False,
        )
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
            critical=False,
        )
        .add_extension(x509.ExtendedKeyUsage([x509.OID_SERVER_AUTH]), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    pem = serialization.Encoding.PEM
    return ca_cert.public_bytes(pem), cert.public_bytes(pem), _pem_key(key)


def tls_files(folder: Path, label: str = "trusted") -> TlsFiles:
    """Write a CA and a 127.0.0.1 server certificate it signed into `folder`."""
    ca_pem, cert_pem, key_pem = _tls_material(label)
    folder.mkdir(parents=True, exist_ok=True)
    paths = TlsFiles(
        ca_file=str(folder / f"{label}-ca.pem"),
        cert_file=str(folder / f"{label}-server.pem"),
        key_file=str(folder / f"{label}-server.key"),
    )
    Path(paths.ca_file).write_bytes(ca_pem)
    Path(paths.cert_file).write_bytes(cert_pem)
    Path(paths.key_file).write_bytes(key_pem)
    return paths


class _Handler(BaseHTTPRequestHandler):
    server_version = "TesseraTestMetadata/1"

    def do_GET(self):  # noqa: N802 - the name http.server calls
        state: MetadataServer = self.server.state
        state.hits.append(self.path)
        route = state.routes.get(self.path)
        if route is None:
            self.send_error(404, "Not Found")
            return
        if route.delay_seconds:
            time.sleep(route.delay_seconds)
        self.send_response(route.status)
        if route.location:
            self.send_header("Location", route.location)
        self.send_header("Content-Type", route.content_type)
        if route.send_length:
            self.send_header("Content-Length", str(len(route.body)))
        else:
            self.send_header("Connection", "close")
        self.end_headers()
        try:
            if route.trickle_seconds:
                for byte in route.body:
                    self.wfile.write(bytes([byte]))
                    self.wfile.flush()
                    time.sleep(route.trickle_seconds)
            else:
                self.wfile.write(route.body)
        except (BrokenPipeError, ConnectionResetError, ssl.SSLError):
            pass  # the client gave up, as the limits tell it to

    def log_message(self, format, *args):  # noqa: A002 - http.server's signature
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    # NOTE: the handshake runs in the handler thread, so one client failing TLS on purpose
    # does not block the accept loop for the next test.

    def __init__(self, *args, context: ssl.SSLContext | None = None, **kwargs):
        self.context = context
        super().__init__(*args, **kwargs)

    def get_request(self):
        sock, address = super().get_request()
        if self.context is not None:
            sock = self.context.wrap_socket(sock, server_side=True, do_handshake_on_connect=False)
        return sock, address

    def handle_error(self, request, client_address):
        pass  # failed handshakes are the point of some tests


class _Handshaking(_Handler):
    def setup(self):
        if isinstance(self.request, ssl.SSLSocket):
            try:
                self.request.do_handshake()
            except (ssl.SSLError, OSError):
                self.close_connection = True
                raise
        super().setup()


def serve(*, tls: TlsFiles | None):
    """Start a server on 127.0.0.1 (HTTPS with `tls`, else HTTP); return (state, stop)."""
    context = None
    if tls is not None:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(tls.cert_file, tls.key_file)
    server = _Server(("127.0.0.1", 0), _Handshaking, context=context)
    scheme = "https" if tls is not None else "http"
    state = MetadataServer(
        base_url=f"{scheme}://127.0.0.1:{server.server_address[1]}",
        ca_file=tls.ca_file if tls is not None else None,
    )
    server.state = state
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()

    def stop():
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)

    return state, stop
