# class: builtins
# source: pyfence guard review
# goal: input() reads the worker's stdin
# expect: blocked

x = input()
print("ESCAPED")
