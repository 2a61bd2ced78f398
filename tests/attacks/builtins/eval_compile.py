# class: builtins
# source: pyfence guard review
# goal: eval and compile
# expect: blocked

print(eval("'ESC' + 'APED'"))
