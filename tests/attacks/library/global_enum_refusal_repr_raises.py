# class: library
# source: pyfence red team, round 2 review (a refusal message ran the script's __repr__)
# goal: lose the violation for a global_enum into another module: the module name's __repr__ raises, and the script catches that instead
# policy: compute
# expect: blocked
import enum


class Loud(str):
    def __repr__(self):
        raise ValueError("the refusal never happened")


E = enum.Enum("E", "pf_marker", module=Loud("json"))
try:
    enum.global_enum(E)
except ValueError:
    print("ESCAPED: the refusal was replaced by the script's exception")
