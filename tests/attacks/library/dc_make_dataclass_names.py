# class: library
# source: pyfence red team, issue 9 item 1 (field names straight into generated source)
# goal: make_dataclass with a field name that is code
# policy: compute
# expect: blocked
import dataclasses
try:
    C = dataclasses.make_dataclass("C", ["x=(__import__('o'+'s').name and print('ESC'+'APED'),0)[1]"])
except Exception as e:
    print(type(e).__name__)
