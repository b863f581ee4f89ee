"""The hub's application: commands, the store, read models, the media engine and the CLI.

Importing it points OpenSSL at the hub's configuration (hub/openssl.cnf) unless the operator set
OPENSSL_CONF: it must be in the environment before cryptography's OpenSSL starts, and every entry
point (the `hub` command, the tests, a bench) imports this package before aiortc.
"""

import os
from pathlib import Path

os.environ.setdefault("OPENSSL_CONF", str(Path(__file__).with_name("openssl.cnf")))
