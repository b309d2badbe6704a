#!/usr/bin/env bash
# gpu-check.sh [PEAK_MEM]: checks peak-mem's GPU reporting against a real NVIDIA GPU and
# nvidia-smi, on a machine that has one. Run by hand; PEAK_MEM defaults to dist/peak-mem.
# Needs only that binary, bash, python3 and nvidia-smi: the GPU workload is PyTorch where it
# works, else python3's ctypes on the driver's own libcuda.so.1. Exits 1 if any check fails,
# 2 if the machine cannot run the checks at all.
set -u

PM=${1:-dist/peak-mem}
GiB=$((1024 * 1024 * 1024))
MiB=$((1024 * 1024))
failures=0

header() { printf '\n== %s ==\n' "$1"; }
pass() { printf 'PASS  %s\n' "$1"; }
fail() {
  printf 'FAIL  %s\n' "$1"
  failures=$((failures + 1))
}
# A check: PASS or FAIL with the same description, by the exit status of the test after it.
check() {
  local what=$1
  shift
  if "$@"; then pass "$what"; else fail "$what"; fi
}

if [ ! -x "$PM" ]; then
  echo "gpu-check: $PM is not an executable peak-mem (build it first, or name it)" >&2
  exit 2
fi
for tool in nvidia-smi python3; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "gpu-check: $tool not found: this check needs an NVIDIA GPU machine with python3" >&2
    exit 2
  fi
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/peak-mem-gpu-check.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT

header "1. The machine"
nvidia-smi -L || {
  echo "gpu-check: nvidia-smi cannot list GPUs" >&2
  exit 2
}
echo "driver version: $(nvidia-smi --query-gpu=driver_version --format=csv,noheader | head -n 1)"
echo "accounting mode (per GPU): $(nvidia-smi --query-gpu=accounting.mode --format=csv,noheader | paste -sd ' ' -)"
smi_total_mib=$(nvidia-smi -i 0 --query-gpu=memory.total --format=csv,noheader,nounits | head -n 1 | tr -dc '0-9')
echo "GPU 0 memory.total: ${smi_total_mib:-?} MiB"
echo "peak-mem: $PM ($("$PM" --version 2>&1 | head -n 1))"

# The workload: allocate and touch BYTES on GPU 0, tell the others it is ready, wait until
# PEERS processes are (so that the allocations overlap however long each took to start), hold
# HOLD seconds, exit. Its context's own memory comes on top of BYTES, as nvidia-smi shows.
cat >"$tmp/alloc.py" <<'PY'
import os, sys, time

backend, size, hold, ready_dir, peers = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), sys.argv[4], int(sys.argv[5])

if backend == "torch":
    import torch
    block = torch.empty(size, dtype=torch.uint8, device="cuda").fill_(1)
    torch.cuda.synchronize()
else:
    import ctypes
    cuda = ctypes.CDLL("libcuda.so.1")
    def call(name, *args):
        result = getattr(cuda, name)(*args)
        if result != 0:
            sys.exit(f"alloc.py: {name} failed with CUresult {result}")
    cuda.cuMemsetD8_v2.argtypes = [ctypes.c_uint64, ctypes.c_ubyte, ctypes.c_size_t]
    call("cuInit", 0)
    device, context, block = ctypes.c_int(), ctypes.c_void_p(), ctypes.c_uint64()
    call("cuDeviceGet", ctypes.byref(device), 0)
    call("cuCtxCreate_v2", ctypes.byref(context), 0, device)
    call("cuMemAlloc_v2", ctypes.byref(block), ctypes.c_size_t(size))
    call("cuMemsetD8_v2", block, 1, size)
    call("cuCtxSynchronize")

open(os.path.join(ready_dir, f"ready.{os.getpid()}"), "w").close()
deadline = time.time() + 120
while sum(name.startswith("ready.") for name in os.listdir(ready_dir)) < peers:
    if time.time() > deadline:
        sys.exit("alloc.py: the other workload never got ready")
    time.sleep(0.05)
time.sleep(hold)
PY

if python3 -c 'import sys, torch; sys.exit(0 if torch.cuda.is_available() else 1)' >/dev/null 2>&1; then
  backend=torch
else
  backend=ctypes
fi

# measure NAME TREE: runs peak-mem --gpu on TREE (a bash -c script; in it $1 is alloc.py, $2
# the backend, $3 a fresh directory where the workloads meet), the JSON report in
# $tmp/NAME.json, polling nvidia-smi meanwhile. Sets status (peak-mem's exit status) and
# smi_max_mib (the largest sum of the compute processes' used_memory nvidia-smi showed).
measure() {
  local name=$1 tree=$2 pm_pid sample sum
  mkdir "$tmp/$name.ready"
  "$PM" --gpu --json -o "$tmp/$name.json" -- bash -c "$tree" gpu-check "$tmp/alloc.py" "$backend" "$tmp/$name.ready" \
    >"$tmp/$name.stdout" 2>"$tmp/$name.stderr" &
  pm_pid=$!
  smi_max_mib=0
  : >"$tmp/$name.smi"
  while kill -0 "$pm_pid" 2>/dev/null; do
    sample=$(nvidia-smi --query-compute-apps=pid,used_memory --format=csv,noheader,nounits 2>/dev/null)
    printf '%s\n' "$sample" >>"$tmp/$name.smi"
    sum=$(printf '%s\n' "$sample" | awk -F', *' '$2 ~ /^[0-9]+$/ { s += $2 } END { print s + 0 }')
    if [ "$sum" -gt "$smi_max_mib" ]; then smi_max_mib=$sum; fi
    sleep 0.2
  done
  wait "$pm_pid"
  status=$?
}

# Prints what a report says and writes the figures the checks need to VALUES (name=value lines).
read_report() {
  python3 - "$1" "$2" <<'PY'
import json, sys

path, values_path = sys.argv[1], sys.argv[2]
values = {}
try:
    with open(path) as file:
        report = json.load(file)
except (OSError, ValueError) as error:
    print(f"no report: {error}")
    report = None
if isinstance(report, dict):
    values["report"] = 1
    values["has_gpu"] = int("gpu" in report)
    peak = report.get("peak_gpu_bytes")
    values["peak"] = peak if type(peak) is int else ""
    print(f"peak_gpu_bytes: {peak}" + (f" ({peak / 2**30:.3f} GiB)" if type(peak) is int else ""))
    gpu = report.get("gpu")
    if isinstance(gpu, dict):
        print(f"gpu.exact: {gpu.get('exact')}   gpu.source: {gpu.get('source')}")
        for device in gpu.get("devices") or []:
            print("gpu.devices[]: " + ", ".join(f"{key}={device.get(key)}" for key in ("index", "name", "total_bytes", "peak_bytes", "source")))
            if device.get("index") == 0 and type(device.get("total_bytes")) is int:
                values["device0_total"] = device["total_bytes"]
        processes = gpu.get("processes") or []
        for process in processes:
            print("gpu.processes[]: " + ", ".join(f"{key}={process.get(key)}" for key in ("pid", "name", "peak_bytes")))
        values["processes_using"] = sum(1 for p in processes if type(p.get("peak_bytes")) is int and p["peak_bytes"] > 0)
    else:
        print(f"gpu: {gpu!r}")
with open(values_path, "w") as file:
    for key, value in values.items():
        file.write(f"{key}={value}\n")
PY
}

# value NAME FILE: one figure read_report wrote ("" when it has none).
value() { sed -n "s/^$1=//p" "$2" | head -n 1; }
is_number() { case $1 in '' | *[!0-9]*) return 1 ;; *) return 0 ;; esac; }

header "2. Two processes on GPU 0 at once (1 GiB and 2 GiB, $backend), under peak-mem --gpu"
# nvidia-smi's sum counts every compute process on the machine: the comparison needs an idle GPU.
others=$(nvidia-smi --query-compute-apps=pid,used_memory --format=csv,noheader,nounits 2>/dev/null | grep -c '[0-9]')
if [ "$others" -gt 0 ]; then
  echo "note: $others other compute process(es) on the GPU already; nvidia-smi's sum below includes them"
fi
# The shell waits for each by pid, so that a workload's failure is the tree's.
# shellcheck disable=SC2016 # $1.. belong to the tree's own shell
measure main 'python3 "$1" "$2" 1073741824 4 "$3" 2 & one=$!
python3 "$1" "$2" 2147483648 4 "$3" 2 & two=$!
wait "$one"; a=$?; wait "$two"; b=$?
[ "$a" = 0 ] && [ "$b" = 0 ]'
echo "peak-mem exited $status"
if [ "$status" -ne 0 ]; then
  echo "--- the command's output and peak-mem's stderr:"
  cat "$tmp/main.stdout" "$tmp/main.stderr"
fi

header "3. What nvidia-smi saw (every 200 ms)"
echo "pids listed: $(awk -F', *' '$1 ~ /^[0-9]+$/ { print $1 }' "$tmp/main.smi" | sort -un | paste -sd ' ' -)"
echo "largest sum of used_memory: $smi_max_mib MiB"

header "4. The report"
read_report "$tmp/main.json" "$tmp/main.values"
peak=$(value peak "$tmp/main.values")
processes_using=$(value processes_using "$tmp/main.values")
device0_total=$(value device0_total "$tmp/main.values")

header "5. Checks"
check "the command ran and exited 0 under peak-mem" [ "$status" -eq 0 ]
if is_number "$peak"; then
  check "peak_gpu_bytes $peak >= 3 GiB (what the two processes allocated)" [ "$peak" -ge $((3 * GiB)) ]
  smi_bytes=$((smi_max_mib * MiB))
  difference=$((peak > smi_bytes ? peak - smi_bytes : smi_bytes - peak))
  if [ "$smi_max_mib" -eq 0 ]; then
    fail "peak_gpu_bytes within 10% of nvidia-smi's largest sum: nvidia-smi listed no compute processes"
  else
    check "peak_gpu_bytes within 10% of nvidia-smi's largest sum ($smi_max_mib MiB; off by $((difference / MiB)) MiB)" \
      [ $((difference * 10)) -le "$smi_bytes" ]
  fi
else
  fail "the report has a numeric peak_gpu_bytes (it has '${peak}')"
fi
check "the report lists 2 processes with GPU use (it lists ${processes_using:-none})" [ "${processes_using:-0}" = 2 ]
if is_number "$device0_total" && is_number "$smi_total_mib"; then
  smi_total=$((smi_total_mib * MiB))
  off=$((device0_total > smi_total ? device0_total - smi_total : smi_total - device0_total))
  check "device 0's total_bytes $device0_total is nvidia-smi's memory.total ($smi_total_mib MiB) within 1 MiB" [ "$off" -le "$MiB" ]
else
  fail "device 0's total_bytes ('${device0_total}') and nvidia-smi's memory.total ('${smi_total_mib}') are both numbers"
fi

# A small GPU user, then the tree exits 3: peak-mem must exit 3 as well.
# shellcheck disable=SC2016 # $1.. belong to the tree's own shell
measure exit 'python3 "$1" "$2" 67108864 0.5 "$3" 1; exit 3'
check "the command's exit status passes through (tree exits 3, peak-mem exited $status)" [ "$status" -eq 3 ]

header "6. --no-gpu, and the default"
"$PM" --no-gpu --json -o "$tmp/no-gpu.json" -- true >"$tmp/no-gpu.stdout" 2>"$tmp/no-gpu.stderr"
no_gpu_status=$?
read_report "$tmp/no-gpu.json" "$tmp/no-gpu.values"
check "--no-gpu: peak-mem exited 0 (exited $no_gpu_status)" [ "$no_gpu_status" -eq 0 ]
check "--no-gpu: a report was written" [ "$(value report "$tmp/no-gpu.values")" = 1 ]
check "--no-gpu: the report has no gpu key" [ "$(value has_gpu "$tmp/no-gpu.values")" = 0 ]
echo "--- \"$PM\" -- true (GPU reporting left to its default), all it printed:"
"$PM" -- true >"$tmp/auto.out" 2>&1
echo "(exited $?)"
cat "$tmp/auto.out"
echo "--- its lines that mention a GPU (there should be one here, as this machine has a GPU):"
grep -i gpu "$tmp/auto.out" || echo "(none)"

header "Result"
if [ "$failures" -eq 0 ]; then
  echo "all checks passed"
  exit 0
fi
echo "$failures check(s) failed"
exit 1
