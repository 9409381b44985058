#!/usr/bin/env node
// The `pr-pod` executable. tsup adds the #!/usr/bin/env node line.
import nodeModule from "node:module";

// V8's compile cache (Node 22.1+; NODE_DISABLE_COMPILE_CACHE=1 turns it off) keeps the compiled code of
// the bundle's chunks on disk, so later starts skip most parsing and compiling. On Node 20 it is absent
// and this is a no-op. It must be on before the program loads, hence the dynamic import below.
(nodeModule as { enableCompileCache?: () => unknown }).enableCompileCache?.();
// The bundle is minified: with --debug, stack traces point into the sources (dist/*.js.map) instead.
if (process.argv.includes("--debug")) process.setSourceMapsEnabled(true);
const { main } = await import("./program.ts");

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
