// The bench hands its child programs one JSON argument; this reads it and says what is wrong with it.

export function readChildArgs<T>(program: string): T {
  const text = process.argv[2];
  if (!text) {
    process.stderr.write(`${program}: expected one JSON argument (the bench starts this program itself)\n`);
    process.exit(2);
  }
  return JSON.parse(text) as T;
}

/** Writes to stdout and waits when the pipe is full, so a slow reader slows the writer instead of memory growing. */
export function writeOut(text: string): Promise<void> | undefined {
  if (process.stdout.write(text)) return undefined;
  return new Promise((resolve) => process.stdout.once("drain", () => resolve()));
}

export function marker(name: string, data?: unknown): Promise<void> | undefined {
  return writeOut(`@@bench ${name}${data === undefined ? "" : ` ${JSON.stringify(data)}`}\n`);
}
