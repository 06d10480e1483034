"""`chronochrome colorize --c2pa-cert CHAIN.pem --c2pa-key KEY.pem`: a batch whose outputs
carry signed C2PA content credentials, the same manifest `chronochrome serve` signs
(`colorizer.apps.c2pa_signing`).

The settings are checked, and a 1x1 image signed, before the output folder is made or any
photo read: a missing, swapped or encrypted file, a key of another certificate or an expired
certificate is one error line (exit 2). A photo whose signature fails later is that photo's
failure (nothing written for it, its reason said); the batch goes on. With `--engine ray`
the driver checks and reads the files; its workers sign with the chain and key it sends them
(`C2paSigner.from_keys`).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from colorizer.apps.c2pa_config import config_from_flags

if TYPE_CHECKING:  # outputs imports the pipeline (torch): not before the checks
    from colorizer.apps.outputs import Signer


def add_c2pa_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--c2pa-cert", type=Path, default=None, metavar="CHAIN.pem",
                        help="sign every output with C2PA content credentials: the PEM "
                             "certificate chain, signing certificate first (needs the c2pa "
                             "extra: pip install 'chronochrome[c2pa]')")
    parser.add_argument("--c2pa-key", type=Path, default=None, metavar="KEY.pem",
                        help="the PKCS#8 PEM private key of --c2pa-cert")


def signer_from_arguments(args: argparse.Namespace) -> Signer | None:
    """The run's C2PA signer, its settings checked by a trial signature; None unsigned."""
    config = config_from_flags(args.c2pa_cert, args.c2pa_key)
    if config is None:
        return None
    from colorizer.apps.c2pa_signing import C2paSigner

    return C2paSigner(config)
