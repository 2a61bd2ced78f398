# class: library
# source: pyfence red team, issue 9 items 1 and 3 (generated code in a module the script names)
# goal: make_dataclass(module=...) runs generated code in os's namespace
# policy: compute
# expect: blocked
import dataclasses
try:
    C = dataclasses.make_dataclass("C", [("system", int, dataclasses.field(default=0))], module="os")
    print("ESCAPED" if C.__init__ and C.__module__ == "os" and C().system == 0 else "")
except Exception as e:
    print(type(e).__name__)
