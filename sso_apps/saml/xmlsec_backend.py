"""Sign, verify, encrypt and decrypt SAML XML in-process for pysaml2 using python-xmlsec.

pysaml2's stock ``CryptoBackendXmlSec1`` runs the ``xmlsec1`` binary once per signature (tens
of milliseconds per response, plus temp files). ``PythonXmlsecBackend`` does the same work
through the libxmlsec bindings in this process.

How it plugs in
---------------
Every cryptographic call pysaml2 makes goes through ``entity.sec``, a ``SecurityContext``
whose ``crypto`` attribute is the backend. ``Entity.__init__`` builds ``sec`` from
``config.crypto_backend``, which only knows ``"xmlsec1"`` and ``"XMLSecurity"``, so the
supported seam is to let pysaml2 build the Server and then replace ``server.sec``::

    conf = IdPConfig()
    conf.load({..., "crypto_backend": "XMLSecurity", "key_file": ..., "cert_file": ...})
    server = Server(config=conf)
    install_backend(server)  # server.sec = security_context_for(server.config)

``"crypto_backend": "XMLSecurity"`` only stops ``Server()`` from searching for the xmlsec1
binary; its placeholder backend is discarded by ``install_backend`` before it is ever used.
With djangosaml2idp, call ``install_backend(IDP.load())``: ``IDP`` caches the server and
``install_backend`` is idempotent, so the cost is paid once per (re)load.

Key material
------------
pysaml2 hands backends file names (``key_file``, ``cert_file``, temp files holding SP
certificates). This backend also accepts the PEM text itself wherever a file name is
expected, so ``"key_file"`` in the config may be the private key PEM and the key never needs
to touch the disk. ``cert_file`` must stay a path: pysaml2 itself ``open()``s it for KeyInfo
and metadata. Files are read on every call (a few microseconds for a PEM) and parsed keys are
cached in ``key_cache`` by the SHA-256 of their content, so a key rotated in place is picked
up at once and nothing cached can go stale.

Encryption
----------
Assertions are encrypted with AES-256-GCM or AES-256-CBC (``encryption``, the app's
``data_encryption``) under a fresh session key that RSA-OAEP-MGF1P wraps for the SP's
certificate, whatever 3DES template pysaml2 proposes (``constants.KEY_TRANSPORT`` says why
no other key transport is offered). SPs
decrypt ``EncryptedData`` as a document of its own, so before an Assertion is signed (or, if
unsigned, encrypted) the document is rewritten by ``namespaces.with_conventional_prefixes``:
the Assertion declares every namespace it uses, and one URI keeps one prefix throughout.
"""

from collections.abc import Callable
from uuid import uuid4

import xmlsec
from lxml import etree
from saml2 import SamlBase
from saml2.config import Config
from saml2.entity import Entity
from saml2.sigver import (
    ASSERT_XPATH,
    CryptoBackend,
    DecryptError,
    EncryptError,
    RSACrypto,
    SecurityContext,
    SignatureError,
    pre_encrypt_assertion,
)

from sso_apps.saml import key_cache
from sso_apps.saml.constants import (
    ASSERTION_NS,
    DSIG_NS,
    ENVELOPED,
    EXC_C14N,
    RSA_SHA256,
    SHA256,
    XENC_NS,
    DataEncryptionName,
)
from sso_apps.saml.errors import (
    KeyPairError,
    SamlEncryptionError,
    SamlError,
    SamlSignatureError,
    SamlXmlError,
)
from sso_apps.saml.key_material import certificate_pem_of, key_material_read
from sso_apps.saml.namespaces import is_assertion, with_conventional_prefixes
from sso_apps.saml.parsing import (
    check_signature_profile,
    parse_xml,
    verify_enveloped_signature,
)

__all__ = [
    "ENCRYPTION_METHODS",
    "PythonXmlsecBackend",
    "XmlsecDecryptError",
    "XmlsecEncryptError",
    "XmlsecSignatureError",
    "install_backend",
    "security_context_for",
]

# Keyed by constants.DataEncryptionName; test_constants checks each transform's URI.
ENCRYPTION_METHODS = {
    DataEncryptionName.AES256_GCM: xmlsec.Transform.AES256_GCM,
    DataEncryptionName.AES256_CBC: xmlsec.Transform.AES256,
}

# Our own freshly serialised XML is parsed with the same no-entities, no-network settings as
# untrusted input; the defusedxml pre-screen is skipped since pysaml2 produced the document.
_TRUSTED_PARSER_OPTIONS = {"resolve_entities": False, "no_network": True, "huge_tree": False}


class XmlsecSignatureError(SamlSignatureError, SignatureError):
    """Signal a signing or verification failure in terms pysaml2 and Tessera both catch."""


class XmlsecEncryptError(SamlEncryptionError, EncryptError):
    """Signal an encryption failure in terms pysaml2 and Tessera both catch."""


class XmlsecDecryptError(SamlEncryptionError, DecryptError):
    """Signal a decryption failure in terms pysaml2 and Tessera both catch."""


class PythonXmlsecBackend(CryptoBackend):
    """Implement pysaml2's CryptoBackend with the in-process python-xmlsec bindings."""

    def __init__(
        self,
        *,
        encryption: str = DataEncryptionName.AES256_GCM,
        allow_sha1_verification: bool = False,
    ) -> None:
        if encryption not in ENCRYPTION_METHODS:
            raise ValueError(f"encryption must be one of {sorted(ENCRYPTION_METHODS)}")
        super().__init__()
        self.encryption = DataEncryptionName(encryption)
        self.allow_sha1_verification = allow_sha1_verification

    @property
    def version(self) -> str:
        """Return the libxmlsec version, e.g. "1.3.9"."""
        return ".".join(str(part) for part in xmlsec.get_libxmlsec_version())

    def sign_statement(
        self,
        statement: str | bytes | SamlBase,
        node_name: str,
        key_file: str | bytes,
        node_id: str | None,
    ) -> str:
        """Sign the node_name element with ID node_id using an enveloped signature."""
        root = _parse_own(statement)
        node = _find_node(root, node_name=node_name, node_id=node_id)
        element_id = node.get("ID")
        if not element_id:
            raise XmlsecSignatureError(f"The {node_name} element to sign has no ID attribute.")
        if _bound_for_encryption(node):
            # The SP will read this Assertion on its own once decrypted, so it is made
            # self-contained before signing: the signature then covers the very form the SP
            # decrypts, and (exclusive C14N) also the form an SP gets by moving it back
            # into the Response.
            try:
                root = with_conventional_prefixes(root)
            except SamlXmlError as exc:
                raise XmlsecSignatureError(exc.reason) from exc
            node = _find_node(root, node_name=node_name, node_id=node_id)
        signature = _ensure_signature_template(node, element_id=element_id)
        try:
            # pysaml2 fills in the template with the SP's configured algorithms; SHA-1 is
            # honoured for signing because only a legacy SP would have asked for it.
            check_signature_profile(signature, element_id=element_id, allow_sha1=True)
            key = key_cache.xmlsec_private_key(key_material_read(key_file, what="signing key"))
        except (SamlSignatureError, KeyPairError) as exc:
            raise XmlsecSignatureError(exc.reason) from exc
        context = xmlsec.SignatureContext()
        context.key = key
        context.register_id(node, "ID")
        try:
            context.sign(signature)
        except xmlsec.Error as exc:
            raise XmlsecSignatureError(f"Signing the {node_name} failed: {exc}.") from exc
        return _serialize(root)

    def validate_signature(
        self,
        signedtext: str | bytes,
        cert_file: str | bytes,
        cert_type: str,
        node_name: str,
        node_id: str | None,
    ) -> bool:
        """Verify the enveloped signature on the node_name element with ID node_id."""
        try:
            root = parse_xml(signedtext)
            node = _find_node(root, node_name=node_name, node_id=node_id)
            certificate_pem = certificate_pem_of(
                key_material_read(cert_file, what="certificate"), cert_type=cert_type
            )
            verify_enveloped_signature(
                node, certificate_pem=certificate_pem, allow_sha1=self.allow_sha1_verification
            )
        except (SamlSignatureError, SamlXmlError, KeyPairError) as exc:
            # pysaml2 treats SignatureError as "try the next certificate", like xmlsec1's FAIL.
            raise XmlsecSignatureError(exc.reason) from exc
        return True

    def encrypt(
        self,
        text: str | bytes,
        recv_key: str | bytes,
        template: object,
        session_key_type: str,
        xpath: str = "",
    ) -> str:
        """Encrypt the elements at xpath (or the whole document) for the recipient's cert."""
        # template and session_key_type name pysaml2's legacy 3DES defaults; the configured
        # AES mode and RSA-OAEP key transport are used instead.
        root = _parse_own(text, error=XmlsecEncryptError)
        if xpath:
            targets = set(_select(root, xpath))
            # Each element is decrypted as a document of its own, so it must declare
            # every namespace it uses itself.
            root = _self_contained(root, targets.__contains__)
        nodes = _select(root, xpath) if xpath else [root]
        result = self._encrypt_nodes(root, nodes, recipient=recv_key)
        return _serialize(result)

    def encrypt_assertion(
        self,
        statement: str | bytes | SamlBase,
        enc_key: str | bytes,
        template: object,
        key_type: str = "des-192",
        node_xpath: str | None = None,
        node_id: str | None = None,
    ) -> str:
        """Replace the assertion(s) at node_xpath with EncryptedData for the SP's certificate."""
        # As in encrypt(), the 3DES template and key_type pysaml2 passes are superseded by the
        # configured AES mode with RSA-OAEP key transport.
        if isinstance(statement, SamlBase):
            if getattr(statement, "encrypted_assertion", None) is None:
                statement = pre_encrypt_assertion(statement)
            statement = statement.to_string()
        root = _parse_own(statement, error=XmlsecEncryptError)
        # Already done when the assertion was signed (then this changes nothing the
        # signature covers); an unsigned assertion needs it here.
        root = _self_contained(root, is_assertion)
        nodes = _select(root, node_xpath or ASSERT_XPATH)
        if node_id:
            nodes = [node for node in nodes if node.get("ID") == node_id]
        if not nodes:
            raise XmlsecEncryptError("There is no assertion to encrypt in the response.")
        return _serialize(self._encrypt_nodes(root, nodes, recipient=enc_key))

    def decrypt(self, enctext: str | bytes, key_file: str | bytes) -> str:
        """Decrypt every EncryptedData element in enctext with the private key."""
        try:
            root = parse_xml(enctext)
            keys = key_cache.xmlsec_decryption_manager(
                key_material_read(key_file, what="decryption key")
            )
        except (SamlXmlError, KeyPairError) as exc:
            raise XmlsecDecryptError(exc.reason) from exc
        encrypted = list(root.iter(f"{{{XENC_NS}}}EncryptedData"))
        if not encrypted:
            raise XmlsecDecryptError("The document contains no EncryptedData element.")
        for node in encrypted:
            is_root = node is root
            try:
                with keys.lock:
                    decrypted = xmlsec.EncryptionContext(keys.manager).decrypt(node)
            except xmlsec.Error as exc:
                raise XmlsecDecryptError(f"Decryption failed: {exc}.") from exc
            if is_root:
                if not isinstance(decrypted, etree._Element):
                    return decrypted.decode("utf-8")
                root = decrypted
        return _serialize(root)

    def encrypt_elements(
        self, root: etree._Element, nodes: list[etree._Element], *, recipient: str | bytes
    ) -> etree._Element:
        """Replace each node of root's tree, in place, with EncryptedData for recipient.

        Each node must already declare every namespace it uses (the SP decrypts it as a
        document of its own); the response builder writes its Assertion that way.
        """
        return self._encrypt_nodes(root, nodes, recipient=recipient)

    def _encrypt_nodes(
        self, root: etree._Element, nodes: list[etree._Element], *, recipient: str | bytes
    ) -> etree._Element:
        if not nodes:
            raise XmlsecEncryptError("Nothing matched the element to encrypt.")
        try:
            certificate = key_material_read(recipient, what="encryption certificate")
            # pysaml2 writes SP certificates as PEM, but a DER file is just as unambiguous.
            cert_type = "pem" if certificate.lstrip().startswith(b"-----BEGIN") else "der"
            pem = certificate_pem_of(certificate, cert_type=cert_type)
            keys = key_cache.xmlsec_encryption_manager(pem.strip().encode("utf-8"))
        except KeyPairError as exc:
            raise XmlsecEncryptError(exc.reason) from exc
        for node in nodes:
            template = self._encryption_template(node)
            context = xmlsec.EncryptionContext(keys.manager)
            # A fresh 256-bit session key per element; only RSA-OAEP wraps it for the SP.
            context.key = xmlsec.Key.generate(
                xmlsec.constants.KeyDataAes, 256, xmlsec.constants.KeyDataTypeSession
            )
            try:
                # encrypt_xml dumps the element as it stands, with only the namespaces
                # declared on it and its descendants (not those it inherits): callers make
                # each node self-contained first (with_conventional_prefixes) so that the
                # plaintext is namespace-well-formed as a document of its own.
                with keys.lock:
                    encrypted = context.encrypt_xml(template, node)
            except xmlsec.Error as exc:
                raise XmlsecEncryptError(f"Encryption failed: {exc}.") from exc
            if node is root:
                root = encrypted
        return root

    def _encryption_template(self, node: etree._Element) -> etree._Element:
        template = xmlsec.template.encrypted_data_create(
            node,
            ENCRYPTION_METHODS[self.encryption],
            id=f"_{uuid4().hex}",
            type=xmlsec.constants.TypeEncElement,
            ns="xenc",
        )
        xmlsec.template.encrypted_data_ensure_cipher_value(template)
        key_info = xmlsec.template.encrypted_data_ensure_key_info(template, ns="ds")
        encrypted_key = xmlsec.template.add_encrypted_key(key_info, xmlsec.Transform.RSA_OAEP)
        xmlsec.template.encrypted_data_ensure_cipher_value(encrypted_key)
        return template


def security_context_for(
    config: Config, *, backend: CryptoBackend | None = None
) -> SecurityContext:
    """Build a pysaml2 SecurityContext for config that uses the in-process backend."""
    key_file = config.key_file
    # pysaml2 signs outgoing HTTP-Redirect messages with sec_backend (an RSACrypto), which
    # its own factory only sets up for the xmlsec1 backend.
    sec_backend = None
    if key_file:
        sec_backend = RSACrypto(
            key_cache.rsa_private_key(key_material_read(key_file, what="signing key"))
        )
    keypairs = config.encryption_keypairs or []
    return SecurityContext(
        backend if backend is not None else PythonXmlsecBackend(),
        key_file=key_file,
        cert_file=config.cert_file,
        metadata=getattr(config, "metadata", None),
        only_use_keys_in_metadata=config.only_use_keys_in_metadata,
        cert_handler_extra_class=config.cert_handler_extra_class,
        generate_cert_info=config.generate_cert_info,
        tmp_cert_file=config.tmp_cert_file,
        tmp_key_file=config.tmp_key_file,
        validate_certificate=config.validate_certificate,
        enc_key_files=[pair["key_file"] for pair in keypairs if "key_file" in pair],
        encryption_keypairs=config.encryption_keypairs,
        sec_backend=sec_backend,
        delete_tmpfiles=config.delete_tmpfiles,
    )


def install_backend(entity: Entity, *, backend: CryptoBackend | None = None) -> None:
    """Make a pysaml2 Server (or any Entity) sign and verify with the in-process backend."""
    current = getattr(entity, "sec", None)
    if backend is None and isinstance(getattr(current, "crypto", None), PythonXmlsecBackend):
        return
    entity.sec = security_context_for(entity.config, backend=backend)
    # pysaml2 falls back to RSA-SHA1/SHA-1 when the service section names no algorithm;
    # upgrade that fallback to SHA-256 while respecting an explicit setting. The lookup mirrors
    # Entity.__init__, which reads these keys from the entity's own service section.
    if not entity.config.getattr("signing_algorithm"):
        entity.signing_algorithm = RSA_SHA256
    if not entity.config.getattr("digest_algorithm"):
        entity.digest_algorithm = SHA256


def _parse_own(
    statement: str | bytes | SamlBase, *, error: type[SamlError] = XmlsecSignatureError
) -> etree._Element:
    if isinstance(statement, SamlBase):
        statement = statement.to_string()
    data = statement.encode("utf-8") if isinstance(statement, str) else statement
    parser = etree.XMLParser(**_TRUSTED_PARSER_OPTIONS)
    try:
        return etree.fromstring(data, parser=parser)  # noqa: S320
    except etree.XMLSyntaxError as exc:
        raise error(f"The statement is not well-formed XML: {exc}.") from exc


def _select(root: etree._Element, xpath: str) -> list[etree._Element]:
    try:
        selected = root.xpath(xpath)
    except etree.XPathError as exc:
        raise XmlsecEncryptError(f"The XPath {xpath!r} is invalid: {exc}.") from exc
    if not isinstance(selected, list):
        raise XmlsecEncryptError(f"The XPath {xpath!r} does not select elements.")
    return [node for node in selected if isinstance(node, etree._Element)]


def _find_node(root: etree._Element, *, node_name: str, node_id: str | None) -> etree._Element:
    # pysaml2 names nodes "<namespace URI>:<local name>", e.g.
    # "urn:oasis:names:tc:SAML:2.0:assertion:Assertion".
    namespace, _, local_name = node_name.rpartition(":")
    tag = f"{{{namespace}}}{local_name}" if namespace else local_name
    candidates = [
        element for element in root.iter(tag) if node_id is None or element.get("ID") == node_id
    ]
    if not candidates:
        raise XmlsecSignatureError(f"No {local_name} element with ID {node_id!r} was found.")
    if len(candidates) > 1:
        raise XmlsecSignatureError(f"More than one {local_name} element matches ID {node_id!r}.")
    return candidates[0]


def _self_contained(
    root: etree._Element, self_contained: Callable[[etree._Element], bool]
) -> etree._Element:
    try:
        return with_conventional_prefixes(root, self_contained=self_contained)
    except SamlXmlError as exc:
        raise XmlsecEncryptError(exc.reason) from exc


def _bound_for_encryption(node: etree._Element) -> bool:
    # pysaml2 moves an assertion it will encrypt into an (still empty) EncryptedAssertion
    # before signing it (pre_encrypt_assertion).
    parent = node.getparent()
    return (
        is_assertion(node)
        and parent is not None
        and parent.tag == f"{{{ASSERTION_NS}}}EncryptedAssertion"
    )


def _ensure_signature_template(node: etree._Element, *, element_id: str) -> etree._Element:
    existing = node.findall(f"{{{DSIG_NS}}}Signature")
    if len(existing) > 1:
        raise XmlsecSignatureError("The element to sign carries more than one signature.")
    if existing:
        return existing[0]
    # pysaml2 normally inserts a template (pre_signature_part); without one, default to
    # RSA-SHA256 over a SHA-256 digest with exclusive C14N. The template is built with lxml
    # rather than xmlsec.template because lxml's find() cannot see nodes libxmlsec creates.
    ds = f"{{{DSIG_NS}}}"
    signature = etree.Element(f"{ds}Signature", nsmap={"ds": DSIG_NS})
    signed_info = etree.SubElement(signature, f"{ds}SignedInfo")
    etree.SubElement(signed_info, f"{ds}CanonicalizationMethod", Algorithm=EXC_C14N)
    etree.SubElement(signed_info, f"{ds}SignatureMethod", Algorithm=RSA_SHA256)
    reference = etree.SubElement(signed_info, f"{ds}Reference", URI=f"#{element_id}")
    transforms = etree.SubElement(reference, f"{ds}Transforms")
    etree.SubElement(transforms, f"{ds}Transform", Algorithm=ENVELOPED)
    etree.SubElement(transforms, f"{ds}Transform", Algorithm=EXC_C14N)
    etree.SubElement(reference, f"{ds}DigestMethod", Algorithm=SHA256)
    etree.SubElement(reference, f"{ds}DigestValue")
    etree.SubElement(signature, f"{ds}SignatureValue")
    # SAML's schemas put ds:Signature directly after saml:Issuer when there is one.
    first = node[0] if len(node) else None
    position = 1 if first is not None and etree.QName(first).localname == "Issuer" else 0
    node.insert(position, signature)
    return signature


def _serialize(root: etree._Element) -> str:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8").decode("utf-8")
