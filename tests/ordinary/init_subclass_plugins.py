class Plugin:
    registry = {}

    def __init_subclass__(cls, name=None, **kwargs):
        super().__init_subclass__(**kwargs)
        cls.plugin_name = name or cls.__name__.lower()
        Plugin.registry[cls.plugin_name] = cls

class Audio(Plugin, name="sound"):
    pass

class Video(Plugin):
    def run(self):
        return f"running {self.plugin_name}"

print(sorted(Plugin.registry), Video().run(), Audio.plugin_name)

class Meta(type):
    count = 0
    def __init__(cls, name, bases, ns, **kw):
        super().__init__(name, bases, ns, **kw)
        Meta.count += 1
        cls.created_order = Meta.count

class A(metaclass=Meta):
    pass

class B(A):
    pass

print(A.created_order, B.created_order, type(B).__name__)
