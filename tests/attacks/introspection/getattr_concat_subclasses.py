# class: introspection
# source: pyfence guard review
# goal: object.__subclasses__ via computed getattr name
# expect: blocked

subs = getattr(object, '__sub' + 'classes__')()
print("ESCAPED" if len(subs) > 10 else "")
