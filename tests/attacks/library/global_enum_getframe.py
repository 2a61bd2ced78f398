# class: library
# source: pyfence red team, issue 9 item 3 (enum.global_enum writes into sys.modules[cls.__module__])
# goal: replace sys._getframe so the guard's import trusts the next import, then reach the real sys
# policy: compute
# expect: blocked
import enum
class Code:
    co_filename = "lib"
    co_code = b"\x00" * 64
class Frame:
    f_code = Code()
    f_lasti = 0
class Base(enum.Enum):
    def __call__(self, *a):
        return Frame()
try:
    X = Base("X", {"_getframe": 1}, module="sys")
    enum.global_enum(X)
    import typing
    print("ESCAPED" if typing.sys.modules else "")
except Exception as e:
    print(type(e).__name__)
