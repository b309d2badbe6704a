// The "hello-world": the least a Bun-compiled program can do, print a line and exit.
// bench.ts compiles it with the same Bun as peak-mem and measures `peak-mem --version` against it.
console.log("peak-mem 0.0.0");
