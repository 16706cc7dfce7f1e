"""The app's Jinja environment: template calls without Jinja's per-call introspection.

Jinja runs every call in a template (``_("...")``, ``icon(...)``, ``url_for(...)``, a macro)
through :meth:`jinja2.runtime.Context.call`, which looks for ``pass_context`` and its kin on the
callable and on its ``__call__`` each time: about 4 µs a call here, and a results page makes
about 250 calls. :class:`KioskContext` calls plain functions, methods and macros that are not
marked ``pass_*`` directly (the same call, the same ``StopIteration`` rule) and leaves everything
else to Jinja.
"""

from __future__ import annotations

import functools
import types
from typing import Any

from flask import Flask
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


def init_app(app: Flask) -> None:
    """Render ``app``'s templates with :class:`KioskContext`."""
    app.jinja_env.context_class = KioskContext
