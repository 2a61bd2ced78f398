# class: builtins
# source: pyfence guard review
# goal: memoryview is denied by policy
# expect: blocked

m = memoryview(b"abc")
print("ESCAPED")
