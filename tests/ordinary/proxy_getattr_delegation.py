class Account:
    def __init__(self, owner, balance=0):
        self.owner = owner
        self.balance = balance
        self.history = []
    def deposit(self, amount):
        self.balance += amount
        self.history.append(("dep", amount))
        return self.balance

class LoggingProxy:
    def __init__(self, target, log):
        object.__setattr__(self, "_target", target)
        object.__setattr__(self, "_log", log)
    def __getattr__(self, name):
        value = getattr(self._target, name)
        self._log.append(f"get {name}")
        if callable(value):
            def wrapped(*args, **kwargs):
                self._log.append(f"call {name}{args}")
                return value(*args, **kwargs)
            return wrapped
        return value
    def __setattr__(self, name, value):
        self._log.append(f"set {name}={value!r}")
        setattr(self._target, name, value)
    def __delattr__(self, name):
        self._log.append(f"del {name}")
        delattr(self._target, name)

log = []
acct = Account("ann", 10)
p = LoggingProxy(acct, log)
p.deposit(5)
p.owner = "bea"
print(p.balance, p.owner, acct.owner)
p.nickname = "b"
del p.nickname
print(hasattr(acct, "nickname"), log)

class ReadOnly:
    __slots__ = ("_data",)
    def __init__(self, **data):
        super().__setattr__("_data", dict(data))
    def __getattr__(self, name):
        try:
            return self._data[name]
        except KeyError:
            raise AttributeError(f"no field {name!r}") from None
    def __setattr__(self, name, value):
        raise AttributeError(f"read-only: cannot set {name!r}")
    def __dir__(self):
        return sorted(self._data)

cfg = ReadOnly(host="db", port=5432)
print(cfg.host, cfg.port, getattr(cfg, "user", "nobody"), dir(cfg))
for action in (lambda: setattr(cfg, "port", 1), lambda: cfg.missing):
    try:
        action()
    except AttributeError as e:
        print("AttributeError:", e)

class Counted:
    def __init__(self):
        self.reads = {}
        self.x = 1
        self.y = 2
    def __getattribute__(self, name):
        if not name.startswith("_") and name != "reads":
            reads = object.__getattribute__(self, "reads")
            reads[name] = reads.get(name, 0) + 1
        return super().__getattribute__(name)

c = Counted()
total = c.x + c.y + c.x
print(total, c.reads)
