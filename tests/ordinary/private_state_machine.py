class Machine:
    _transitions = {"idle": ["run"], "run": ["idle", "stop"], "stop": []}

    def __init__(self):
        self._state = "idle"
        self.__log = []

    def _allowed(self, new):
        return new in self._transitions[self._state]

    def go(self, new):
        if not self._allowed(new):
            raise RuntimeError(f"{self._state} -> {new}")
        self.__log.append((self._state, new))
        self._state = new
        return self

    @property
    def log(self):
        return list(self.__log)

m = Machine().go("run").go("stop")
print(m._state, m.log, m._Machine__log == m.log)
try:
    m.go("run")
except RuntimeError as e:
    print("refused", e)
print(sorted(k for k in vars(m)), Machine._transitions["idle"])

class Sub(Machine):
    def _allowed(self, new):
        return True
print(Sub().go("stop")._state)
