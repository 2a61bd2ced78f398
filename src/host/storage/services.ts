/**
 * The host-call services of a run's per-origin storage: `storage` (local
 * storage) and `cookies`, offered only when the policy enables storage and
 * the script has a tuple origin. Without them, a call of either is a call
 * of a service the run does not offer: the sign of a worker that no longer
 * obeys the guard, which ends the run.
 *
 * @module
 */
import type { PermissionMap } from "../../capabilities/permissions.ts";
import type { HostService } from "../host_calls.ts";
import { cookieService } from "./cookies.ts";
import { localStorageService } from "./local_storage.ts";
import type { StoreRef } from "./store.ts";

/** The storage services of one run, keyed by service name (none when it has no storage). */
export function storageServices(map: PermissionMap, ref: StoreRef): Record<string, HostService> {
  const origin = map.guard.network.origin;
  if (!map.guard.storage || origin === null) return {};
  const store = () => ref.store();
  return {
    storage: localStorageService(store, origin, map.limits.storageQuotaBytes),
    cookies: cookieService(store, origin, map.guard.network.cors),
  };
}
