"""The app's Jinja environment: template calls without Jinja's per-call introspection, and
links kept once built.

Jinja runs every call in a template (``_("...")``, ``icon(...)``, ``url_for(...)``, a macro)
through :meth:`jinja2.runtime.Context.call`, which looks for ``pass_context`` and its kin on the
callable and on its ``__call__`` each time: about 4 µs a call here, and a results page makes
about 250 calls. :class:`KioskContext` calls plain functions, methods and macros that are not
marked ``pass_*`` directly (the same call, the same ``StopIteration`` rule) and leaves everything
else to Jinja.

Every page builds the same dozen links (home, reset, quick exit, the display switches, the topic
tiles), each 20 to 50 µs in Werkzeug's URL builder here. The templates' :func:`url_for` keeps
what it built (see there).
"""

from __future__ import annotations

import functools
import types
from typing import Any

from flask import Flask, current_app, has_request_context, request
from flask import url_for as flask_url_for
from jinja2.runtime import Context, Macro

#: Callables whose type says how they are called: nothing to inject unless marked ``pass_*``
#: (a marked function, or a method of one, carries ``jinja_pass_arg``).
_PLAIN_CALLABLES = frozenset({
    types.FunctionType,
    types.BuiltinFunctionType,
    types.MethodType,
    functools._lru_cache_wrapper,  # noqa: SLF001 - the type of functools.lru_cache wrappers
    Macro,
})


class KioskContext(Context):
    """A Jinja context whose :meth:`call` takes a short way for plain callables."""

    def call(__self, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N805 - as Jinja's
        """Call ``__obj`` as :meth:`jinja2.runtime.Context.call` would."""
        if type(__obj) not in _PLAIN_CALLABLES or getattr(__obj, "jinja_pass_arg", None) is not None:
            return super().call(__obj, *args, **kwargs)
        kwargs.pop("_block_vars", None)
        kwargs.pop("_loop_vars", None)
        try:
            return __obj(*args, **kwargs)
        except StopIteration:
            return __self.environment.undefined(
                "value was undefined because a callable raised a StopIteration exception")


#: Argument types whose links are kept (their text is the whole of what goes into the URL).
_KEPT_VALUE_TYPES = frozenset({str, int})
#: How many links an app keeps at most (then it starts over).
KEPT_LINKS = 5_000
_LINKS = "kiosk_template_links"


def url_for(endpoint: str, /, **values: Any) -> str:
    """Flask's :func:`flask.url_for` for templates, kept per app for the same endpoint,
    arguments and script root.

    Only a plain call is kept: an absolute endpoint, ``str`` or ``int`` arguments, no ``_anchor``
    / ``_external`` / ``_method`` / ``_scheme``, in a request, in an app without URL defaults
    callbacks (nothing else goes into a relative URL). Anything else is built every time.
    """
    if endpoint[:1] == "." or not has_request_context() or current_app.url_default_functions:
        return flask_url_for(endpoint, **values)
    for name, value in values.items():
        if name[:1] == "_" or type(value) not in _KEPT_VALUE_TYPES:
            return flask_url_for(endpoint, **values)
    key = (request.script_root, endpoint, *sorted(values.items()))
    links = current_app.extensions.setdefault(_LINKS, {})
    link = links.get(key)
    if link is None:
        link = flask_url_for(endpoint, **values)
        if len(links) >= KEPT_LINKS:
            links.clear()
        links[key] = link
    return link


def init_app(app: Flask) -> None:
    """Render ``app``'s templates with :class:`KioskContext` and the kept :func:`url_for`."""
    app.jinja_env.context_class = KioskContext
    app.jinja_env.globals["url_for"] = url_for
