# class: registration
# source: pyfence red team, issue 8 item 1 (a class made by type() is not the script's)
# goal: a type()-made subclass of a library class with a __getattribute__ that hands out private members
# expect: blocked
import random
X = type("X", (random.Random,), {})
try:
    print("ESCAPED" if X._randbelow and vars(random.Random) else "")
except Exception as e:
    print(type(e).__name__)
