// How a cgroup peak-mem makes was asked for, as its messages name it: --limit SIZE makes a
// limited one, --cgroup an unlimited one. Shared by the platform's door (no cgroups on this
// system) and the Linux code that makes them (no writable cgroup here).

export function cgroupOption(limitBytes: number | undefined): "--cgroup" | "--limit" {
  return limitBytes === undefined ? "--cgroup" : "--limit";
}
