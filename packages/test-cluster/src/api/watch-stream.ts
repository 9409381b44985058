// `?watch=true`: a chunked stream of JSON watch events, one per line. Resumes from a
// resourceVersion, sends BOOKMARKs when asked, reports too-old versions as an in-band ERROR event
// carrying a 410 Expired Status (as the watch cache does), and ends at timeoutSeconds.
// https://kubernetes.io/docs/reference/using-api/api-concepts/#efficient-detection-of-changes
import type { ServerResponse } from "node:http";
import type { StreamCut } from "../faults.ts";
import type { Json, KubeObject } from "../json.ts";
import { byStoreOrder, type ObjectStore, ResourceVersionTooOld, type StoreEvent } from "../store/object-store.ts";
import { withTypeMeta } from "./registry.ts";
import { apiVersionOf, type ResourceType } from "./resource-types.ts";
import type { Selector } from "./selectors.ts";
import { badRequest, expired } from "./status-error.ts";

export interface WatchRequest {
  resourceType: ResourceType;
  namespace?: string;
  labelSelector: Selector;
  fieldSelector: Selector;
  query: URLSearchParams;
  cut?: StreamCut;
  bookmarkIntervalMs: number;
  /** How each object is sent (kubectl get -w asks for one-row Tables). */
  present?: (object: KubeObject) => Json;
}

export function serveWatch(store: ObjectStore, request: WatchRequest, res: ServerResponse): void {
  const { resourceType: t, query } = request;
  const rvText = query.get("resourceVersion") ?? "";
  const sendInitialEvents = query.get("sendInitialEvents") === "true";
  const allowBookmarks = query.get("allowWatchBookmarks") === "true";
  if (sendInitialEvents && (!allowBookmarks || query.get("resourceVersionMatch") !== "NotOlderThan")) {
    throw badRequest(
      "sendInitialEvents is forbidden for watch unless the resourceVersionMatch is NotOlderThan and allowWatchBookmarks is true",
    );
  }
  if (rvText !== "" && !/^\d+$/.test(rvText)) throw badRequest(`invalid resource version: ${rvText}`);

  res.writeHead(200, { "Content-Type": "application/json", "Cache-Control": "no-cache, private" });
  res.flushHeaders();

  let events = 0;
  let bytes = 0;
  let closed = false;
  let unsubscribe = () => {};
  let bookmarks: NodeJS.Timeout | undefined;
  let timeout: NodeJS.Timeout | undefined;
  const matches = (object: KubeObject) =>
    (!t.namespaced || request.namespace === undefined || object.metadata.namespace === request.namespace) &&
    request.labelSelector(object) &&
    request.fieldSelector(object);

  const finish = () => {
    if (closed) return;
    closed = true;
    unsubscribe();
    clearInterval(bookmarks);
    clearTimeout(timeout);
    res.end();
  };

  const send = (type: string, object: Json) => {
    if (closed) return;
    let line = `${JSON.stringify({ type, object })}\n`;
    const cut = request.cut;
    if (cut?.afterBytes !== undefined && bytes + Buffer.byteLength(line) > cut.afterBytes) {
      line = Buffer.from(line)
        .subarray(0, Math.max(0, cut.afterBytes - bytes))
        .toString();
      res.write(line);
      finish();
      return;
    }
    bytes += Buffer.byteLength(line);
    res.write(line);
    if (type !== "BOOKMARK") events += 1;
    if (cut?.afterEvents !== undefined && events >= cut.afterEvents) finish();
  };

  const bookmark = (annotations?: Record<string, string>) => {
    const metadata: Json = { resourceVersion: String(store.resourceVersion) };
    if (annotations) metadata.annotations = annotations;
    send("BOOKMARK", { kind: t.kind, apiVersion: apiVersionOf(t), metadata });
  };

  const present = request.present ?? ((object: KubeObject) => object);
  // As the watch cache does: an object that starts or stops matching the selectors is ADDED or DELETED.
  const forward = (event: StoreEvent) => {
    if (event.resourceType !== t) return;
    const now = matches(event.object);
    const before = event.previous ? matches(event.previous) : now;
    let type: string = event.type;
    if (event.type === "MODIFIED" && now !== before) type = now ? "ADDED" : "DELETED";
    else if (!now) return;
    send(type, present(withTypeMeta(t, event.object)));
  };

  // Everything below runs in one tick, so no store change can slip between replay and live events.
  let replay: StoreEvent[] = [];
  let initial: KubeObject[] = [];
  try {
    // Only the matching objects, and not copied (they are serialized at once, in this tick): with many
    // runs in one namespace, copying every pod for every new watch grew with the square of the runs.
    if (rvText === "" || rvText === "0" || sendInitialEvents)
      initial = store
        .readList(t, t.namespaced ? request.namespace : undefined)
        .filter(matches)
        .sort(byStoreOrder);
    else replay = store.eventsSince(Number(rvText), t);
  } catch (error) {
    if (!(error instanceof ResourceVersionTooOld)) throw error;
    send("ERROR", expired(error.message).toStatus());
    finish();
    return;
  }
  unsubscribe = store.subscribe(forward);
  bookmarks = setInterval(() => allowBookmarks && bookmark(), request.bookmarkIntervalMs);
  const timeoutSeconds = Number(query.get("timeoutSeconds") ?? "0");
  timeout = setTimeout(finish, timeoutSeconds > 0 ? timeoutSeconds * 1000 : 2 ** 31 - 1);
  res.on("close", finish);

  for (const object of initial) send("ADDED", present(withTypeMeta(t, object)));
  if (sendInitialEvents) bookmark({ "k8s.io/initial-events-end": "true" });
  for (const event of replay) forward(event);
}
