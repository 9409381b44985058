// Stands in for the npm package whatwg-url inside pr-pod's bundles. Its one user, node-fetch 2 (under
// @kubernetes/client-node), reads `whatwgUrl.URL` only where Node's own url.URL is missing
// (`const URL = Url.URL || whatwgUrl.URL`), which never happens on Node 20+. The package and its tr46
// mapping table were about a seventh of the CLI's client-node chunk, all parsed and run at every start.
export const URL = globalThis.URL;
export default { URL };
