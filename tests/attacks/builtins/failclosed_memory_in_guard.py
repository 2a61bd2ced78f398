# class: builtins
# source: pyfence red team, issue 8 item 4 (the guard fails open out of memory)
# goal: fill memory, then make a refused read while the guard has no memory left; catch the MemoryError and go on
# expect: blocked
import random
hog = []
caught = []
try:
    while True:
        hog.append(bytearray(1 << 20))
except MemoryError:
    pass
for _ in range(50):
    try:
        getattr(random.Random, "_rand" + "below")
    except MemoryError:
        caught.append(1)
    except Exception:
        break
hog.clear()
print("ESCAPED" if caught else "")
