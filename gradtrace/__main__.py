"""python -m gradtrace"""

from .cli import entry

entry()
