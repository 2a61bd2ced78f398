# class: format-string
# source: pyfence guard review
# goal: format field walking the class graph
# expect: blocked

s = "{0.__class__.__base__.__subclasses__}".format(0)
print("ESCAPED" if "built-in" in s else "")
