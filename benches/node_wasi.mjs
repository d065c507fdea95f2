// Runs a WASI command module on node's built-in WASI (V8).
// Usage: node node_wasi.mjs prog.wasm [ARGS...]
import { readFile } from 'node:fs/promises';
import { WASI } from 'node:wasi';
import { basename } from 'node:path';
const [path, ...args] = process.argv.slice(2);
const wasi = new WASI({ version: 'preview1', args: [basename(path), ...args], env: {}, preopens: {}, returnOnExit: true });
const module = await WebAssembly.compile(await readFile(path));
const instance = await WebAssembly.instantiate(module, wasi.getImportObject());
process.exitCode = wasi.start(instance);
