# A counter the host keeps for this script's origin, across runs and restarts:
#   deno task pyfence run --origin https://a.example examples/visits.py
from pyfence.web import local_storage

visits = int(local_storage.get_item("visits") or "0") + 1
local_storage.set_item("visits", str(visits))
print(f"visit {visits} from this origin; keys kept: {local_storage.keys()}")
