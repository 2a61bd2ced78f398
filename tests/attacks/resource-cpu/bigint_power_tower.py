# class: resource-cpu
# source: https://docplayer.net/amp/10394216-Building-and-breaking-a-python-sandbox.html (10**10**10)
# goal: a C-level big-integer power that never checks for interrupts
# expect: limit

x = 10 ** 10 ** 10
print("ESCAPED" if x else "")
