"""A bundle that can be trusted: Ed25519 keys, the manifest's signature, and the checks before anything is loaded.

`manifest.json` lists the SHA-256 of every bundle file; `manifest.sig` beside it is an Ed25519 signature over the
exact bytes of `manifest.json` (64 raw bytes, as `openssl pkeyutl -sign -rawin` writes, so it can be checked without
synthlib). With the signer's public key, obtained out of band, a changed file is caught by its hash and a re-hashed
manifest by the signature. The `cryptography` package does the signing; nothing here is hand-written crypto.
"""

from __future__ import annotations

import hashlib
import json
import os
import warnings
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from synthlib.errors import BundleError, ConfigError, UnsignedBundleWarning

from ._manifest import BUNDLE, sha256
from ._models import model_path, model_roles, read_model

PRIVATE_KEY, PUBLIC_KEY = "synthlib_signing_key.pem", "synthlib_signing_key.pub.pem"
SIGNATURE = "manifest.sig"


def _create(path: Path, data: bytes, mode: int) -> None:
    """Write a new file with `mode` from the start (never a moment readable by others); refuse an existing one."""
    try:
        handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    except FileExistsError:
        raise ConfigError(f"{path} exists already: keygen never overwrites a key; choose another folder") from None
    try:
        os.fchmod(handle, mode)  # the umask may only narrow `mode`; make it exact
        os.write(handle, data)
    finally:
        os.close(handle)


def keygen(folder: str | Path) -> tuple[Path, Path]:
    """Write a new Ed25519 key pair into `folder` as PEM files: the private key (mode 0600, unencrypted: keep it
    where only the signer can read it) and the public key (give it to whoever checks the bundles). Existing keys
    are never overwritten."""
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise ConfigError(f"{folder} is a file; keygen takes a folder for {PRIVATE_KEY} and {PUBLIC_KEY}")
    private, public = folder / PRIVATE_KEY, folder / PUBLIC_KEY
    existing = [str(p) for p in (private, public) if p.exists()]
    if existing:
        raise ConfigError(f"{' and '.join(existing)} {'exists' if len(existing) == 1 else 'exist'} already: keygen "
                          "never overwrites a key (bundles signed with it could no longer be checked); choose another "
                          "folder")
    folder.mkdir(parents=True, exist_ok=True)
    key = Ed25519PrivateKey.generate()
    _create(private, key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                       serialization.NoEncryption()), 0o600)
    _create(public, key.public_key().public_bytes(serialization.Encoding.PEM,
                                                  serialization.PublicFormat.SubjectPublicKeyInfo), 0o644)
    return private, public


def _read_key_file(path: Path, option: str) -> bytes:
    if not path.is_file():
        raise ConfigError(f"{option} {path} is not a file; `synthlib keygen DIR` writes {PRIVATE_KEY} (private) "
                          f"and {PUBLIC_KEY} (public)")
    return path.read_bytes()


def load_private_key(path: str | Path, option: str = "--sign-key") -> Ed25519PrivateKey:
    """The Ed25519 private key in a PEM file, or one `ConfigError` line saying what the file is instead."""
    path = Path(path)
    data = _read_key_file(path, option)
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except TypeError:
        raise ConfigError(f"{option} {path} is encrypted with a passphrase; synthlib signs with an unencrypted key "
                          "as `synthlib keygen` writes it") from None
    except ValueError:
        hint = " (it is a public key: pass the private one)" if b"PUBLIC KEY" in data else ""
        raise ConfigError(f"{option} {path} is not a PEM private key{hint}; `synthlib keygen DIR` writes "
                          f"{PRIVATE_KEY}") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise ConfigError(f"{option} {path} holds a {type(key).__name__.removeprefix('_')}; synthlib signs with "
                          "Ed25519 keys (`synthlib keygen DIR`)")
    return key


def load_public_key(path: str | Path, option: str = "--public-key") -> Ed25519PublicKey:
    """The Ed25519 public key in a PEM file, or one `ConfigError` line saying what the file is instead."""
    path = Path(path)
    data = _read_key_file(path, option)
    if b"PRIVATE KEY" in data:
        raise ConfigError(f"{option} {path} is a private key; pass the public key ({PUBLIC_KEY}), and keep the "
                          "private one with the signer only")
    try:
        key = serialization.load_pem_public_key(data)
    except ValueError:
        raise ConfigError(f"{option} {path} is not a PEM public key; `synthlib keygen DIR` writes {PUBLIC_KEY}") from None
    if not isinstance(key, Ed25519PublicKey):
        raise ConfigError(f"{option} {path} holds a {type(key).__name__.removeprefix('_')}; synthlib bundles are "
                          "signed with Ed25519 keys")
    return key


def fingerprint(key: Ed25519PublicKey) -> str:
    """The first 16 hex digits of the SHA-256 of the raw public key: a short name for a key in messages."""
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def bundle_folder(bundle_dir: str | Path) -> Path:
    """The OutputMaterials folder: `bundle_dir` itself, or its `OutputMaterials` child."""
    bundle = Path(bundle_dir)
    return bundle / BUNDLE if bundle.name != BUNDLE and (bundle / BUNDLE).is_dir() else bundle


def sign_bundle(bundle_dir: str | Path, key: Ed25519PrivateKey | str | Path) -> Path:
    """Write `manifest.sig`, the Ed25519 signature over the exact bytes of the bundle's `manifest.json`."""
    bundle = bundle_folder(bundle_dir)
    manifest = bundle / "manifest.json"
    if not manifest.is_file():
        raise BundleError(f"{bundle} has no manifest.json to sign; pass the OutputMaterials folder of a synthlib run")
    private = key if isinstance(key, Ed25519PrivateKey) else load_private_key(key)
    partial = bundle / f".{SIGNATURE}.partial"
    partial.write_bytes(private.sign(manifest.read_bytes()))
    partial.replace(bundle / SIGNATURE)
    return bundle / SIGNATURE


def _manifest_files(bundle: Path) -> dict[str, Any]:
    path = bundle / "manifest.json"
    if not path.is_file():
        raise BundleError(f"{bundle} has no manifest.json; it is not a synthlib bundle (or is incomplete)")
    try:
        files = json.loads(path.read_text(encoding="utf-8"))["files"]
    except (ValueError, KeyError, TypeError):
        raise BundleError(f"{path} is not a manifest (a JSON object with `files`): the file is corrupt") from None
    if not isinstance(files, dict):
        raise BundleError(f"{path}: key `files` must map file names to SHA-256 sums")
    return files


def changed_files(bundle_dir: str | Path, names: list[str] | None = None) -> list[str]:
    """The manifest's files (or those of `names` it lists) that are missing or whose SHA-256 differs."""
    bundle = bundle_folder(bundle_dir)
    files = _manifest_files(bundle)
    return [name for name, digest in files.items() if (names is None or name in names)
            and not ((bundle / name).is_file() and sha256(bundle / name) == digest)]


def check_signature(bundle_dir: str | Path, public_key: str | Path | Ed25519PublicKey | None) -> str:
    """With a public key: `BundleError` unless `manifest.sig` verifies over `manifest.json`; the returned line says
    what was checked. Without one: nothing is refused, and the line says the bundle is unsigned (or unchecked)."""
    bundle = bundle_folder(bundle_dir)
    manifest, signature = bundle / "manifest.json", bundle / SIGNATURE
    if public_key is None:
        if signature.is_file():
            return (f"note: {bundle} is signed ({SIGNATURE}) but the signature was not checked: pass the signer's "
                    "public key (--public-key) to check it")
        return (f"note: {bundle} is unsigned (no {SIGNATURE}): its manifest catches accidental changes, not a file "
                "rewritten together with the manifest")
    key = public_key if isinstance(public_key, Ed25519PublicKey) else load_public_key(public_key)
    if not manifest.is_file():
        raise BundleError(f"{bundle} has no manifest.json; it is not a synthlib bundle (or is incomplete)")
    if not signature.is_file():
        raise BundleError(f"{bundle} has no {SIGNATURE}: the bundle is unsigned, so its origin cannot be checked "
                          f"with key {fingerprint(key)}; refusing to load it")
    try:
        key.verify(signature.read_bytes(), manifest.read_bytes())
    except InvalidSignature:
        raise BundleError(f"{bundle / SIGNATURE} does not match manifest.json under key {fingerprint(key)}: the "
                          "manifest was changed after signing, or signed with another key; refusing to load it") from None
    return f"signature verified: manifest.json is signed by key {fingerprint(key)}"


def check_bundle(bundle_dir: str | Path, public_key: str | Path | Ed25519PublicKey | None = None) -> str:
    """Check a bundle before anything in it is loaded (what `monitor`, `load_model` and `verify` call): the signature
    when `public_key` is given (`check_signature`), then every file the manifest lists against its SHA-256. One
    `BundleError` line on the first failure; otherwise the line on the signature, to show the user."""
    bundle = bundle_folder(bundle_dir)
    note = check_signature(bundle, public_key)
    changed = changed_files(bundle)
    if changed:
        raise BundleError(f"{bundle} does not match its manifest.json (missing or modified: {', '.join(changed)}); "
                          "refusing to load it")
    return note + ("; every file matches it" if public_key is not None else "")


def load_model(bundle_dir: str | Path, name: str, *, allow_pickle: bool = False,
               public_key: str | Path | None = None):
    """The bundle's model `name` (`deployed`, `comparison`), loaded with skops' allow-list (`read_model`).

    With `public_key`, the whole bundle is checked first (`check_bundle`: signature and every file's hash); without
    one, the model file's hash is checked against the manifest and an `UnsignedBundleWarning` says the bundle's
    origin was not checked. A pickle (a component skops could not store) loads only with `allow_pickle=True`.
    """
    bundle = bundle_folder(bundle_dir)
    files = _manifest_files(bundle)
    role = Path(name).stem
    relative = model_path(files, role)
    if relative is None:
        raise BundleError(f"no model `{name}` in {bundle}; models are: {', '.join(model_roles(files)) or 'none'}")
    if public_key is not None:
        check_bundle(bundle, public_key)
    else:
        warnings.warn(check_signature(bundle, None), UnsignedBundleWarning, stacklevel=2)
        path = bundle / relative
        if not path.is_file():
            raise BundleError(f"{path} is missing, though manifest.json lists it: the bundle is incomplete")
        actual = sha256(path)
        if actual != files[relative]:
            raise BundleError(f"{path} does not match manifest.json (SHA-256 {actual[:12]}... expected "
                              f"{str(files[relative])[:12]}...): refusing to load a modified file")
    return read_model(bundle / relative, allow_pickle=allow_pickle, shown=str(bundle / relative))
