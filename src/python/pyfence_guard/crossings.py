"""The helpers rewritten script code calls where a value may come from code
that is not the script's (prologue.py puts the calls in): a parameter of a
script function (C protocols and library callbacks call them with their
own values), what `x = yield` receives, an exception caught with
`except ... as e`, a name a `match` pattern binds; and the one the guard's
stand-ins call on what they hand over (json's hooks). Each passes the value
through the membrane and ends the run (or refuses) when it may not pass."""

import types

from .namespaces import Denied


def make_crossings(run, membrane, refuse):
    """Each helper's failure path starts with the run's headroom (a C
    callable: no frame, no allocation), then refuse(exc, retry, *args)
    decides the check again (context.py)."""
    check = membrane.check
    headroom = run.headroom

    def param(value):
        """`__pf_in__`: a parameter whose type the prologue's fast path did
        not know; the value to use (a stand-in for a traceback)."""
        try:
            return check(value, "a parameter")
        except BaseException as e:
            headroom()
            refuse(e, check, value, "a parameter")

    def check_params(values):
        if type(values) is tuple:
            for v in values:
                check(v, "a parameter")
        else:
            for v in list(values.values()):
                check(v, "a parameter")

    def params(values):
        """`__pf_ia__`: *args (a tuple) or **kwargs (a dict), built by C from
        the caller's arguments: each one is a parameter."""
        try:
            if type(values) is tuple:
                out = tuple(check(v, "a parameter") for v in values)
                for a, b in zip(out, values):
                    if a is not b:
                        return out
                return values
            for k, v in list(values.items()):
                c = check(v, "a parameter")
                if c is not v:
                    values[k] = c
            return values
        except BaseException as e:
            headroom()
            refuse(e, check_params, values)

    def lambda_check(values):
        for v in values:
            if check(v, "a parameter of a lambda") is not v:
                raise Denied("a lambda was handed a value it may only have as a stand-in")

    def lambda_params(*values):
        """`__pf_lc__`: a lambda's parameters; a lambda cannot rebind them,
        so a value that would need a stand-in is refused. Returns True."""
        try:
            lambda_check(values)
        except BaseException as e:
            headroom()
            refuse(e, lambda_check, values)
        return True

    def sent(value):
        """`__pf_cv__`: the value `x = yield` receives, or a `match` capture."""
        try:
            return check(value, "a value sent into the script")
        except BaseException as e:
            headroom()
            refuse(e, check, value, "a value sent into the script")

    def caught(exc):
        """`__pf_exc__`: the exception `except ... as e` binds."""
        try:
            return membrane.exception(exc)
        except BaseException as e:
            headroom()
            refuse(e, membrane.exception, exc)

    def handed(value, where):
        """What a guard stand-in hands the script that library code or a
        callback computed (json's object_hook): it passes as a library
        function's return would, deeply."""
        try:
            return membrane.check_deep(value, where)
        except BaseException as e:
            headroom()
            refuse(e, membrane.check_deep, value, where)

    return types.SimpleNamespace(param=param, params=params, lambda_params=lambda_params, sent=sent,
                                 caught=caught, handed=handed)
