#!/usr/bin/env node
// The `pr-pod` executable. tsup adds the #!/usr/bin/env node line.
import { main } from "./program.ts";

// A reader that stops early (`pr-pod serve --help | head -1`) closes the pipe: stop quietly, as Unix
// tools do, instead of crashing with an unhandled EPIPE.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code === "EPIPE") process.exit(0);
    throw error;
  });
}

const exitCode = await main(process.argv.slice(2));
process.exitCode = exitCode;
// Watches or sockets a library left open must not keep a finished command alive.
setTimeout(() => process.exit(exitCode), 3000).unref();
