"""Languages: every human-facing text goes through gettext, so a language is a catalog and
nothing else.

The catalogs are gradtrace/locale/<lang>/LC_MESSAGES/gradtrace.po (the sources, extracted with
Babel: see CONTRIBUTING.md), shipped compiled as gradtrace.mo beside them. `_` translates a
message; `N_` only marks one whose text is kept and translated where it is shown; `ngettext`
chooses a plural form by the catalog's own rule, never by string concatenation. Messages keep
their placeholders named ({name}), and a translation keeps the same ones (tests/test_i18n.py).

The language is English unless asked: `--lang ko`, `lang=` in the Python API, or a Korean
locale in LC_ALL, LC_MESSAGES or LANG (the first one set decides, as POSIX says). JSON keys, exit
codes and option names never change with it.
"""

from __future__ import annotations

import gettext
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager

DOMAIN = "gradtrace"
LOCALES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "locale")
# English, and every language with a compiled catalog: a new language is a new catalog, nothing else.
LANGUAGES = ("en", *sorted(name for name in (os.listdir(LOCALES) if os.path.isdir(LOCALES) else ())
                           if os.path.isfile(os.path.join(LOCALES, name, "LC_MESSAGES", DOMAIN + ".mo"))))

_current: gettext.NullTranslations = gettext.NullTranslations()
_language = "en"
_catalogs: dict[str, gettext.NullTranslations] = {}


def from_environment(environ: Mapping[str, str] = os.environ) -> str:
    """The language the locale asks for: ko for a Korean locale (ko_KR.UTF-8, ko), else en."""
    for key in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = environ.get(key, "")
        if value:
            code = value.split(".")[0].split("@")[0].split("_")[0].lower()
            return code if code in LANGUAGES else "en"
    return "en"


def use(language: str | None) -> str:
    """Speak this language from now on (None: the locale's); returns the language chosen."""
    global _current, _language
    chosen = from_environment() if language is None else language
    if chosen not in LANGUAGES:
        raise ValueError(f"no language {chosen!r}: choose {', '.join(LANGUAGES)}")
    if chosen not in _catalogs:
        _catalogs[chosen] = gettext.NullTranslations() if chosen == "en" else \
            gettext.translation(DOMAIN, LOCALES, languages=[chosen], fallback=True)
    _current, _language = _catalogs[chosen], chosen
    return chosen


def for_libraries(language: str) -> tuple[str | None, str]:
    """For the command line's own process: point gettext's default domain at gradtrace's catalogs
    in this language, so that a library calling gettext.gettext (click: "Usage:", its usage
    errors) speaks it too. Returns what to give restore_libraries afterwards."""
    before = (os.environ.get("LANGUAGE"), gettext.textdomain())
    gettext.bindtextdomain(DOMAIN, LOCALES)
    gettext.textdomain(DOMAIN)
    os.environ["LANGUAGE"] = language  # GNU gettext's own override, read on every lookup
    return before


def restore_libraries(before: tuple[str | None, str]) -> None:
    language, domain = before
    gettext.textdomain(domain)
    if language is None:
        os.environ.pop("LANGUAGE", None)
    else:
        os.environ["LANGUAGE"] = language


def current() -> str:
    return _language


@contextmanager
def language(choice: str | None) -> Iterator[str]:
    """Within the block, speak this language (None: leave it as it is)."""
    before = _language
    chosen = use(choice) if choice is not None else before
    try:
        yield chosen
    finally:
        use(before)


def _(message: str) -> str:
    """The message in the current language."""
    return _current.gettext(message)


def N_(message: str) -> str:
    """Marks a message for the catalog without translating it here."""
    return message


def ngettext(singular: str, plural: str, n: int) -> str:
    """The singular or a plural form for n, by the current language's plural rule."""
    return _current.ngettext(singular, plural, n)
