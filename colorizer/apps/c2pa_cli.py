"""`chronochrome colorize --c2pa-cert CHAIN.pem --c2pa-key KEY.pem`: a batch whose outputs
carry signed C2PA content credentials, the same manifest `chronochrome serve` signs
(`colorizer.apps.c2pa_signing`).

The settings are checked, and a 1x1 image signed, before the output folder is made or any
photo read: a missing, swapped or encrypted file, a key of another certificate or an expired
certificate is one error line (exit 2). A photo whose signature fails later is that photo's
failure (nothing written for it, its reason said); the batch goes on.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from colorizer.apps.c2pa_config import config_from_flags
from colorizer.errors import ChronochromeError

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
    if args.engine == "ray":  # the signer holds c2pa's handles, which Ray cannot ship
        raise ChronochromeError("--c2pa-cert is for --engine local: sign a Ray run's outputs "
                                "by colorizing with --engine local")
    from colorizer.apps.c2pa_signing import C2paSigner

    return C2paSigner(config)
