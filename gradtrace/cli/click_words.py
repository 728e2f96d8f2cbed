"""The words click itself prints (--help's headings, its usage errors), marked here so that our
catalog carries them: the command line points gettext's default domain at gradtrace's catalogs
(i18n.for_libraries), and click, which calls gettext.gettext, then speaks the run's language.
Each is click's own message id, exactly as click 8 writes it."""

from ..i18n import N_

CLICK_MESSAGES = (
    N_("Usage:"), N_("Options"), N_("Commands"), N_("Show this message and exit."),
    N_("Show the version and exit."), N_("Error: {message}"), N_("Try '{command} {option}' for help."),
    N_("No such option {name!r}."), N_("No such command {name!r}."), N_("Missing argument"),
    N_("Missing option"), N_("Missing parameter: {param_name}"), N_("Invalid value for {param_hint}: {message}"),
    N_("Invalid value: {message}"), N_("Option {name!r} does not take a value."), N_("default: {default}"),
    N_("{value!r} is not a valid {number_type}."), N_("{value} is not in the range {range}."),
    N_("Aborted!"), N_("{name} {filename!r} does not exist."), N_("required"),
)


def _plural_marks() -> None:  # pragma: no cover  (never called: marks the plural forms for the extractor)
    from ..i18n import ngettext

    ngettext("Got unexpected extra argument ({args})", "Got unexpected extra arguments ({args})", 1)
    ngettext("Option {name!r} requires an argument.", "Option {name!r} requires {nargs} arguments.", 1)
    ngettext("Did you mean {possibility}?", "(Did you mean one of: {possibilities}?)", 1)
    ngettext("{value!r} is not {choice}.", "{value!r} is not one of {choices}.", 1)
