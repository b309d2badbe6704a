// The "Bun floor": the least a Bun-compiled wrapper can do, spawn and wait.
// bench.ts compiles it with the same Bun as peak-mem and measures peak-mem against it.
const child = Bun.spawn(process.argv.slice(2), { stdio: ["inherit", "inherit", "inherit"] });
process.exit(await child.exited);
export {}; // a module, for top-level await
