import type { View } from "./view.ts";

// What measured the run: peak-mem's version and the system it ran on (JSON only: the terminal
// has --version).

export const buildView: View = {
  group: "build",
  json: ({ build }) => ({ version: build.version, platform: build.platform }),
};
