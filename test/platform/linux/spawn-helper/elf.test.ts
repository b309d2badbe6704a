// helperElf's headers read back from its bytes, field by field (offsets: the ELF-64 object
// file format, include/uapi/linux/elf.h), and, where binutils is here, by readelf too.
import { describe, expect, test } from "bun:test";
import { rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { HELPER_CODE } from "../../../../src/platform/linux/spawn-helper/code.ts";
import { CODE_OFFSET, helperElf, LOAD_ADDRESS } from "../../../../src/platform/linux/spawn-helper/elf.ts";

const READELF = Bun.which("readelf");

for (const [arch, machine, readelfMachine] of [
  ["x64", 62, "Advanced Micro Devices X86-64"],
  ["arm64", 183, "AArch64"],
] as const) {
  describe(`helperElf("${arch}")`, () => {
    const file = helperElf(arch);
    const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
    const u16 = (at: number) => view.getUint16(at, true);
    const u32 = (at: number) => view.getUint32(at, true);
    const u64 = (at: number) => Number(view.getBigUint64(at, true));
    const code = new Uint8Array(Buffer.from(HELPER_CODE[arch], "base64"));

    test("ELF header: 64-bit little-endian static executable for the machine, two program headers", () => {
      expect([...file.subarray(0, 16)]).toEqual([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
      expect(u16(16)).toBe(2); // ET_EXEC
      expect(u16(18)).toBe(machine);
      expect(u32(20)).toBe(1); // EV_CURRENT
      expect(u64(24)).toBe(LOAD_ADDRESS + 64 + 2 * 56); // e_entry: the code, after the headers
      expect(u64(32)).toBe(64); // e_phoff
      expect(u64(40)).toBe(0); // e_shoff: no sections
      expect(u32(48)).toBe(0); // e_flags
      expect(u16(52)).toBe(64); // e_ehsize
      expect(u16(54)).toBe(56); // e_phentsize
      expect(u16(56)).toBe(2); // e_phnum
      expect([u16(58), u16(60), u16(62)]).toEqual([0, 0, 0]); // no section table
    });

    test("PT_LOAD maps the whole file, read and execute, at a 64 KiB-aligned address", () => {
      const at = 64;
      expect(u32(at)).toBe(1); // PT_LOAD
      expect(u32(at + 4)).toBe(4 | 1); // PF_R | PF_X: no W, the code is not writable
      expect(u64(at + 8)).toBe(0); // p_offset
      expect(u64(at + 16)).toBe(LOAD_ADDRESS);
      expect(LOAD_ADDRESS % 0x10000).toBe(0);
      expect(LOAD_ADDRESS).toBeGreaterThanOrEqual(0x10000); // above the usual vm.mmap_min_addr
      expect(u64(at + 24)).toBe(LOAD_ADDRESS); // p_paddr
      expect(u64(at + 32)).toBe(file.length); // p_filesz
      expect(u64(at + 40)).toBe(file.length); // p_memsz
      expect(u64(at + 48)).toBe(0x10000); // p_align
    });

    test("PT_GNU_STACK asks for a read-write, non-executable stack", () => {
      const at = 64 + 56;
      expect(u32(at)).toBe(0x6474e551);
      expect(u32(at + 4)).toBe(4 | 2); // PF_R | PF_W
      expect([u64(at + 8), u64(at + 16), u64(at + 32), u64(at + 40)]).toEqual([0, 0, 0, 0]);
    });

    test("the code follows the headers, byte for byte, at a 16-byte-aligned entry", () => {
      expect(CODE_OFFSET).toBe(176);
      expect(CODE_OFFSET % 16).toBe(0); // arm64 instructions must be 4-byte aligned
      expect(file.length).toBe(CODE_OFFSET + code.length);
      expect(code.length).toBeGreaterThan(100);
      expect(file.subarray(CODE_OFFSET)).toEqual(code);
      expect(new TextDecoder().decode(code)).toContain("peak-mem-spawn\0"); // the ps name, in the code
    });

    test("pure: each call builds the same bytes afresh", () => {
      const again = helperElf(arch);
      expect(again).toEqual(file);
      expect(again).not.toBe(file);
    });

    test.skipIf(!READELF)(`readelf agrees${READELF ? "" : " (skipped: needs readelf)"}`, () => {
      const path = join(tmpdir(), `peak-mem-helper-elf-${process.pid}-${arch}`);
      writeFileSync(path, file);
      try {
        const out = Bun.spawnSync([READELF as string, "-W", "-h", "-l", path], { stderr: "pipe" });
        const text = out.stdout.toString();
        expect(out.stderr.toString()).toBe("");
        expect(text).toContain("EXEC (Executable file)");
        expect(text).toContain(`Machine:                           ${readelfMachine}`);
        expect(text).toContain(`Entry point address:               0x${(LOAD_ADDRESS + CODE_OFFSET).toString(16)}`);
        expect(text).toMatch(/LOAD\s+0x0+ 0x0*400000 0x0*400000 0x\w+ 0x\w+ R E 0x10000/);
        expect(text).toMatch(/GNU_STACK\s.* RW  0x10/);
      } finally {
        rmSync(path, { force: true });
      }
    });
  });
}
