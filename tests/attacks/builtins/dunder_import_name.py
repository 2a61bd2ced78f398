# class: builtins
# source: pyfence guard review
# goal: __import__ by name
# expect: blocked

__import__('os').listdir('/')
print("ESCAPED")
