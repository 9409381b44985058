// The YAML writer for -o yaml, in a module of its own so that the CLI loads the yaml package only when
// asked (terminal.ts imports this dynamically). The import here is static on purpose: in the bundle, a
// dynamic import("yaml") of the package's CommonJS build gives only a default export.
export { stringify as toYaml } from "yaml";
