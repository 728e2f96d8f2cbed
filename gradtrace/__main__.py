"""python -m gradtrace"""

import sys

from .cli import main

sys.exit(main())
