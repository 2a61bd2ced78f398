def auto_repr(cls):
    def __repr__(self):
        fields = ", ".join(f"{k}={v!r}" for k, v in self.__dict__.items())
        return f"{type(self).__name__}({fields})"
    cls.__repr__ = __repr__
    return cls

def register(registry):
    def deco(cls):
        registry[cls.__name__] = cls
        return cls
    return deco

REG = {}

@register(REG)
@auto_repr
class Point:
    def __init__(self, x, y):
        self.x = x
        self.y = y

@auto_repr
class Person:
    def __init__(self, **kwargs):
        self.__dict__.update(kwargs)

print(Point(1, 2), Person(name="ann", age=3), sorted(REG))
print(vars(Point(3, 4)))
print(Point.__mro__, Point.__bases__)
