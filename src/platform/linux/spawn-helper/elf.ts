import { HELPER_CODE } from "./code.ts";

// The smallest static ELF64 executable the kernel runs: an ELF header, two program headers,
// then the code (spawn-*.S through code.ts). No sections, no interpreter, no libc. Field
// offsets: the System V gABI's ELF-64 object file format, as in include/uapi/linux/elf.h
// (Elf64_Ehdr, Elf64_Phdr); the checks it must pass: fs/binfmt_elf.c load_elf_binary.

/** Architectures as Node's process.arch names them. */
export type HelperArch = "x64" | "arm64";

const EHDR_SIZE = 64; // sizeof(Elf64_Ehdr)
const PHDR_SIZE = 56; // sizeof(Elf64_Phdr); the kernel refuses any other e_phentsize
const PHNUM = 2;
/** Where the code starts in the file: right after the headers (a multiple of 16). */
export const CODE_OFFSET = EHDR_SIZE + PHNUM * PHDR_SIZE;
/** The whole file is mapped here: a multiple of 64 KiB, so any page size maps it. */
export const LOAD_ADDRESS = 0x400000;
const LOAD_ALIGN = 0x10000;

// include/uapi/linux/elf-em.h
const MACHINE: Record<HelperArch, number> = { x64: 62 /* EM_X86_64 */, arm64: 183 /* EM_AARCH64 */ };

// include/uapi/linux/elf.h
const ELFCLASS64 = 2;
const ELFDATA2LSB = 1;
const EV_CURRENT = 1;
const ELFOSABI_NONE = 0;
const ET_EXEC = 2;
const PT_LOAD = 1;
const PT_GNU_STACK = 0x6474e551;
const PF_X = 1;
const PF_W = 2;
const PF_R = 4;

/** The helper executable for `arch`, ready to write to a file or memfd and exec. */
export function helperElf(arch: HelperArch): Uint8Array {
  const code = Buffer.from(HELPER_CODE[arch], "base64");
  const file = new Uint8Array(CODE_OFFSET + code.length);
  const view = new DataView(file.buffer);
  const u16 = (at: number, value: number) => view.setUint16(at, value, true);
  const u32 = (at: number, value: number) => view.setUint32(at, value, true);
  const u64 = (at: number, value: number) => view.setBigUint64(at, BigInt(value), true);

  // Elf64_Ehdr. e_ident: magic, class, data, version, OS ABI, then zero padding to 16.
  file.set([0x7f, 0x45, 0x4c, 0x46, ELFCLASS64, ELFDATA2LSB, EV_CURRENT, ELFOSABI_NONE]);
  u16(16, ET_EXEC); // e_type
  u16(18, MACHINE[arch]); // e_machine
  u32(20, EV_CURRENT); // e_version
  u64(24, LOAD_ADDRESS + CODE_OFFSET); // e_entry
  u64(32, EHDR_SIZE); // e_phoff
  // e_shoff 40, e_flags 48: 0 (no sections; no arch flags on either machine).
  u16(52, EHDR_SIZE); // e_ehsize
  u16(54, PHDR_SIZE); // e_phentsize
  u16(56, PHNUM); // e_phnum
  // e_shentsize 58, e_shnum 60, e_shstrndx 62: 0 (no section table).

  // Elf64_Phdr: p_type 0, p_flags 4, p_offset 8, p_vaddr 16, p_paddr 24, p_filesz 32,
  // p_memsz 40, p_align 48.
  const load = EHDR_SIZE;
  u32(load, PT_LOAD);
  u32(load + 4, PF_R | PF_X);
  u64(load + 8, 0); // the headers too: one mapping, offset 0 ≡ vaddr mod any page size
  u64(load + 16, LOAD_ADDRESS);
  u64(load + 24, LOAD_ADDRESS);
  u64(load + 32, file.length);
  u64(load + 40, file.length); // no bss: the stack is the only writable memory
  u64(load + 48, LOAD_ALIGN);
  // A non-executable stack, said outright: without this header the kernel falls back on
  // its per-arch default (executable, and READ_IMPLIES_EXEC, on x86_64 before Linux 5.8).
  const stack = EHDR_SIZE + PHDR_SIZE;
  u32(stack, PT_GNU_STACK);
  u32(stack + 4, PF_R | PF_W);
  u64(stack + 48, 16);

  file.set(code, CODE_OFFSET);
  return file;
}
