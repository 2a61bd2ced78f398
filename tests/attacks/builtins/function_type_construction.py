# class: builtins
# source: https://book.hacktricks.wiki/en/generic-methodologies-and-resources/python/bypass-python-sandboxes/index.html (types.FunctionType / CodeType)
# goal: build a function from a code object whose globals are the real builtins
# expect: blocked

F = type(lambda: 0)
code = (lambda: 0).__code__
g = F(code.replace(co_names=("__import__",)), {"__builtins__": __builtins__})
print("ESCAPED")
