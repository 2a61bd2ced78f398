# The garbage collector runs a script object's __del__ wherever an allocation
# happens to trigger it. Fill the young generation with FILL cyclic objects
# (FILL = -1: fill until the first collection and report how many it took),
# then import a module the guard allows but did not load ahead (json.tool
# imports argparse: thousands of allocations). A __del__ that runs inside that
# import statement tries a dataclass whose generated code carries script
# text (checked, that is a violation the policy raises). Prints one JSON
# line: where the first collection after the fill ran (during the import
# statement or after it), and whether the text ran unchecked.
import dataclasses
import json

FILL = int("__FILL__")
hits = []
state = {"phase": "fill", "seen": None, "first": None, "made": 0}


@dataclasses.dataclass
class A:
    x: int


dataclasses.fields(A)[0].name = "x=(hits.append(().__class__.__base__.__subclasses__()),0)[1]"


class Bomb:
    def __init__(self):
        self.me = self

    def __del__(self):
        if state["phase"] == "fill":
            if state["first"] is None:
                state["first"] = state["made"]
        elif state["seen"] is None:
            state["seen"] = state["phase"]
            if state["phase"] == "import":
                try:
                    @dataclasses.dataclass(repr=False, eq=False)
                    class B(A):
                        pass
                except BaseException:
                    pass


while (FILL < 0 and state["first"] is None) or state["made"] < FILL:
    state["made"] += 1
    Bomb()
if FILL >= 0:
    state["phase"] = "import"
    import json.tool
    state["phase"] = "after"
print(json.dumps({"first": state["first"], "seen": state["seen"], "escaped": bool(hits)}))
