# class: library
# source: pyfence issue 15 item 3 (dataclasses.replace reads fields with the real getattr, by a name computed at run time)
# goal: a dataclass over Exception with a field named __traceback__: replace() hands the script a real traceback
# policy: compute
# expect: blocked
import dataclasses

name = "_" * 2 + "traceback" + "_" * 2
got = []


def keep(self, **kw):
    got.extend(kw.values())


E = dataclasses.make_dataclass("E", [(name, object)], bases=(Exception,), init=False, eq=False,
                               repr=False, namespace={"__init__": keep})
try:
    raise E()
except E as e:
    try:
        dataclasses.replace(e)
    except Exception:
        pass
for v in got:
    if hasattr(v, "tb_frame") or type(v).__name__ == "traceback":
        print("ESCAPED")
