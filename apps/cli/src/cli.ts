#!/usr/bin/env node
// The `pr-pod` executable. tsup adds the #!/usr/bin/env node line.
import { main } from "./program.ts";

const exitCode = await main(process.argv.slice(2));
process.exitCode = exitCode;
// Watches or sockets a library left open must not keep a finished command alive.
setTimeout(() => process.exit(exitCode), 3000).unref();
