"""The commands of tamper evidence: pubkey, checkpoint, verify and verify-bundle."""

from __future__ import annotations

import argparse
from pathlib import Path

import msgspec

from casework.bundles import Bundle, verify_bundle
from casework.checkpoints import sign_now, verify
from casework.integrity import Verdict
from casework.runtime import running
from casework.settings import Settings
from casework.signing import public_key_from, signer_from
from casework.timeline import shown_time

# verify-bundle's answer when the bundle is whole but nobody said whose key signed it.
SIGNER_NOT_VERIFIED = 3


def _pubkey(settings: Settings, args: argparse.Namespace) -> int:
    print(signer_from(settings.signing_key, settings.data_dir).public_key)
    return 0


def _checkpoint(settings: Settings, args: argparse.Namespace) -> int:
    signer = signer_from(settings.signing_key, settings.data_dir)
    with running(settings) as runtime:
        made = sign_now(runtime.app, runtime.database_url, signer, runtime.app.clock())
    if made is None:
        print("the log is empty: nothing to sign")
        return 0
    print(f"signed tree head: {made.tree_size} events up to position {made.position}, root {made.root_hash}")
    return 0


def _verify(settings: Settings, args: argparse.Namespace) -> int:
    key = args.public_key or public_key_from(settings.public_key, settings.signing_key, settings.data_dir)
    with running(settings) as runtime:
        verdict = verify(runtime.app, runtime.database_url, key)
    return _report(verdict)


def _read_bundle(path: str) -> Bundle | str:
    try:
        return msgspec.json.decode(Path(path).read_bytes(), type=Bundle)
    except (OSError, msgspec.DecodeError) as error:
        return f"{path} is not a casework bundle: {error}"


def _verify_bundle(settings: Settings, args: argparse.Namespace) -> int:
    bundle = _read_bundle(args.file)
    earlier = _read_bundle(args.earlier) if args.earlier else None
    for read in (bundle, earlier):
        if isinstance(read, str):
            print(read)
            return 2
    assert isinstance(bundle, Bundle)
    seen = earlier.tree_head if isinstance(earlier, Bundle) else None
    head = bundle.tree_head
    print(
        f"studio {bundle.studio_id}; tree head of {head.tree_size} events up to position {head.position}, "
        f"signed {shown_time(head.signed_at)}"
    )
    if args.public_key:
        print(f"public key: {args.public_key}")
    else:
        print(f"public key: {head.public_key} (the bundle's own: compare it with `casework pubkey`)")
    code = _report(verify_bundle(bundle, args.public_key, seen))
    if code == 0 and not args.public_key and not args.trust_bundle_key:
        print(
            "NOT VERIFIED: signer not verified. The bundle is whole under its own key, which proves "
            "nothing about who signed it: pass --public-key with the key the bureau gave you "
            "(or --trust-bundle-key to accept the bundle's own)"
        )
        return SIGNER_NOT_VERIFIED
    return code


def _report(verdict: Verdict) -> int:
    if verdict.ok:
        print(f"OK: {verdict.events} events, {verdict.checkpoints} signed tree head(s), nothing altered")
        return 0
    print(f"ALTERED: {verdict.problem}")
    if verdict.studio_id is not None:
        print(f"first altered studio: {verdict.studio_id}, position {verdict.position}")
    return 1


def add_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    pubkey = sub.add_parser("pubkey", help="print the public key that checks signed tree heads")
    pubkey.set_defaults(run=_pubkey)
    checkpoint = sub.add_parser("checkpoint", help="sign the head of the log's Merkle tree now")
    checkpoint.set_defaults(run=_checkpoint)
    check = sub.add_parser("verify", help="recompute every hash and tree root and check every signed head")
    check.add_argument("--public-key", default=None, help="trust this key instead of the data folder's")
    check.set_defaults(run=_verify)
    offline = sub.add_parser(
        "verify-bundle",
        help="check an exported studio history, with no database",
        description="Exit 0: OK; 1: altered; 2: not a bundle; 3: whole, but the signer is not verified "
        "(no --public-key and no --trust-bundle-key).",
    )
    offline.add_argument("file")
    offline.add_argument("--public-key", default=None, help="the key you trust (from the bureau)")
    offline.add_argument(
        "--trust-bundle-key",
        action="store_true",
        help="accept the key inside the bundle (proves the bundle whole, not who signed it)",
    )
    offline.add_argument(
        "--earlier",
        default=None,
        metavar="FILE",
        help="a bundle you checked before: this one's log must extend its signed head (else: a forked log)",
    )
    offline.set_defaults(run=_verify_bundle)
