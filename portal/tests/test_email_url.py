"""Every EMAIL_URL form the settings document delivers a message through that backend.

SMTP is a real server (aiosmtpd) on 127.0.0.1, with STARTTLS and implicit TLS on a
certificate made for the test and trusted through SSL_CERT_FILE.
"""

import datetime
import ipaddress

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from django.core import mail
from django.core.exceptions import ImproperlyConfigured

from portal.settings.email import mailer_from_url
from portal.testing.processes import free_port

# A password that must survive percent-decoding intact (smtplib sends ASCII only).
PASSWORD = "p@ss/w#rd:&"
PASSWORD_IN_URL = "p%40ss%2Fw%23rd%3A%26"


def _send(settings, url: str) -> None:
    settings.MAILERS = {"default": mailer_from_url(url)}
    sent = mail.send_mail("Tessera test", "Body of the test message.", None, ["ada@example.com"])
    assert sent == 1


class _Inbox:
    def __init__(self):
        self.messages = []
        self.logins = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope.content.decode())
        return "250 OK"

    def authenticate(self, server, session, envelope, mechanism, auth_data):
        self.logins.append((auth_data.login.decode(), auth_data.password.decode()))
        return AuthResult(success=True)


def _certificate(tmp_path):
    """Write a self-signed CA certificate for 127.0.0.1; return (cert path, key path)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    ski = x509.SubjectKeyIdentifier.from_public_key(key.public_key())
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(ski, critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ski), critical=False
        )
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                key_encipherment=True,
                key_cert_sign=True,
                content_commitment=False,
                data_encipherment=False,
                key_agreement=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = tmp_path / "smtp.pem", tmp_path / "smtp.key"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


@pytest.fixture
def smtp_server(tmp_path, monkeypatch):
    """Start an SMTP server in the given mode ("plain", "starttls", "ssl"); yield its inbox."""
    import ssl

    controllers = []
    cert_path, key_path = _certificate(tmp_path)
    # Django's SMTP backend verifies the server with the default trust store.
    monkeypatch.setenv("SSL_CERT_FILE", str(cert_path))

    def start(mode: str):
        inbox = _Inbox()
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(cert_path, key_path)
        port = free_port()
        options = {
            "hostname": "127.0.0.1",
            "port": port,
            "authenticator": inbox.authenticate,
            # Only STARTTLS mode insists on TLS before AUTH: plain mode is loopback, and
            # aiosmtpd does not count an implicit-TLS (ssl_context) session as TLS.
            "auth_require_tls": mode == "starttls",
        }
        if mode == "starttls":
            options.update(tls_context=context, require_starttls=True)
        elif mode == "ssl":
            options.update(ssl_context=context)
        controller = Controller(inbox, **options)
        controller.start()
        controllers.append(controller)
        return inbox, port

    yield start
    for controller in controllers:
        controller.stop()


@pytest.mark.parametrize(
    ("scheme", "mode"), [("smtp", "plain"), ("smtp+tls", "starttls"), ("smtp+ssl", "ssl")]
)
def test_smtp_urls_deliver_with_their_credentials(settings, smtp_server, scheme, mode):
    inbox, port = smtp_server(mode)
    _send(settings, f"{scheme}://tessera%40example.com:{PASSWORD_IN_URL}@127.0.0.1:{port}")
    assert inbox.logins == [("tessera@example.com", PASSWORD)]
    assert len(inbox.messages) == 1
    assert "Body of the test message." in inbox.messages[0]


def test_starttls_url_refuses_a_server_it_cannot_verify(settings, smtp_server, monkeypatch):
    inbox, port = smtp_server("starttls")
    monkeypatch.setenv("SSL_CERT_FILE", "/nonexistent")
    settings.MAILERS = {"default": mailer_from_url(f"smtp+tls://127.0.0.1:{port}")}
    with pytest.raises(OSError):
        mail.send_mail("x", "y", None, ["ada@example.com"])
    assert inbox.messages == []


@pytest.mark.parametrize(("scheme", "port"), [("smtp", 25), ("smtp+tls", 587), ("smtp+ssl", 465)])
def test_smtp_port_defaults_to_the_schemes_usual_one(scheme, port):
    assert mailer_from_url(f"{scheme}://mail.example.com")["OPTIONS"]["port"] == port


def test_filemail_writes_each_message_to_the_absolute_folder(settings, tmp_path):
    folder = tmp_path / "outgoing mail"
    _send(settings, f"filemail://{folder.as_posix().replace(' ', '%20')}")
    files = list(folder.iterdir())
    assert len(files) == 1
    assert "Body of the test message." in files[0].read_text()


def test_consolemail_prints_the_message(settings, capsys):
    _send(settings, "consolemail://")
    assert "Body of the test message." in capsys.readouterr().out


def test_memorymail_keeps_the_message_in_the_outbox(settings):
    _send(settings, "memorymail://")
    assert [message.subject for message in mail.outbox] == ["Tessera test"]


@pytest.mark.parametrize(
    "url",
    [
        "filemail://relative/folder",
        "filemail://",
        "smtp://",
        "smtp://mail.example.com:notaport",
        "sendmail://localhost",
        "smtps:/mail.example.com",
        "",
    ],
)
def test_an_unusable_url_is_refused_at_startup_without_echoing_it(url):
    with pytest.raises(ImproperlyConfigured) as refused:
        mailer_from_url(url.replace("localhost", "user:hunter2@localhost"))
    assert "hunter2" not in str(refused.value)
