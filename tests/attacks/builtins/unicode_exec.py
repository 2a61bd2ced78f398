# class: builtins
# source: pyfence guard review
# goal: fullwidth ｅｘｅｃ normalises to exec
# expect: blocked

ｅｘｅｃ("print('ESCAPED')")
