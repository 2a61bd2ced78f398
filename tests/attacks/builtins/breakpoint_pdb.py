# class: builtins
# source: pyfence guard review
# goal: breakpoint() loads pdb
# expect: blocked

breakpoint()
print("ESCAPED")
