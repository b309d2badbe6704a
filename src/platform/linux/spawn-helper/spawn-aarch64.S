// peak-mem-spawn for aarch64 Linux: forks the command, reaps it, and reports the rusage
// of what it reaped (GNU time's design). Why it exists and the byte protocol:
// src/platform/linux/spawn-helper/protocol.ts. Step for step the same as spawn-x86_64.S. Invoked as
//   helper ARGV0 PATH ARG0 ARG1 ...   fd 3 = exec-status pipe, fd 4 = result pipe
// Raw syscalls only, no libc, no data section, position-independent (adr): elf.ts loads
// these bytes at an address of its choosing. Plain `as` input: no cpp.
//
// Syscall numbers: include/uapi/asm-generic/unistd.h (arm64 has no fork, no open).
// Arguments in x0-x5, number in x8, result in x0, -errno on failure; `svc #0` preserves
// every other register.

        .equ SYS_fcntl, 25
        .equ SYS_close, 57
        .equ SYS_write, 64
        .equ SYS_exit_group, 94
        .equ SYS_rt_sigaction, 134
        .equ SYS_rt_sigprocmask, 135
        .equ SYS_prctl, 167
        .equ SYS_clone, 220
        .equ SYS_execve, 221
        .equ SYS_wait4, 260

        .equ F_SETFD, 2                 // include/uapi/asm-generic/fcntl.h
        .equ FD_CLOEXEC, 1
        .equ PR_SET_NAME, 15            // include/uapi/linux/prctl.h
        .equ SIG_BLOCK, 0               // include/uapi/asm-generic/signal-defs.h
        .equ SIG_SETMASK, 2
        .equ SIG_IGN, 1
        .equ SIGCHLD, 17                // include/uapi/asm-generic/signal.h
        .equ NSIG, 64
        .equ SIGSET_SIZE, 8             // the kernel's sigset_t: 64 bits
        .equ EINTR, 4                   // include/uapi/asm-generic/errno-base.h
        .equ ENOEXEC, 8

        .equ EXEC_FD, 3
        .equ RESULT_FD, 4
        .equ STAGE_FORK, 1
        .equ STAGE_EXEC, 2

        // The frame below sp, which stays 16-byte aligned (sp alignment checking).
        .equ ALL, 0                     // sigset_t: every signal
        .equ OLD, 8                     // sigset_t: the mask the helper came with
        .equ RECORD, 16                 // int32, int32, then struct rusage (144 bytes)
        .equ RUSAGE, RECORD + 8
        .equ RECORD_SIZE, 8 + 144
        .equ ACTION, RECORD + RECORD_SIZE   // struct sigaction: handler, flags, restorer, mask
        .equ FRAME, ACTION + 32 + 8         // 208

        .text
        .globl _start
_start:
        // The entry stack (ELF ABI): argc, argv[0..argc-1], NULL, envp[].
        mov     x19, sp                         // x19 = &argc, for argv
        ldr     x0, [sp]
        add     x20, sp, x0, lsl #3
        add     x20, x20, #16                   // x20 = envp = &argv[argc + 1]
        sub     sp, sp, #FRAME

        // 1. The pipes must not reach the command: close them on its exec.
        mov     x0, #EXEC_FD
        mov     x1, #F_SETFD
        mov     x2, #FD_CLOEXEC
        mov     x8, #SYS_fcntl
        svc     #0
        mov     x0, #RESULT_FD
        mov     x1, #F_SETFD
        mov     x2, #FD_CLOEXEC
        svc     #0

        // 2. A name for ps: the exec'd path is a /proc/PID/fd/N.
        mov     x0, #PR_SET_NAME
        adr     x1, name
        mov     x8, #SYS_prctl
        svc     #0

        // 3. Block every signal until the dispositions are set, keeping the old mask for
        // the command: a signal arriving meanwhile waits, then is discarded by SIG_IGN.
        mov     x0, #-1
        str     x0, [sp, #ALL]
        mov     x0, #SIG_BLOCK
        add     x1, sp, #ALL
        add     x2, sp, #OLD
        mov     x3, #SIGSET_SIZE
        mov     x8, #SYS_rt_sigprocmask
        svc     #0

        // 4. fork: clone(flags = SIGCHLD, newsp, parent_tid, tls, child_tid all 0); arm64
        // takes tls before child_tid (CONFIG_CLONE_BACKWARDS), all zeros here anyway.
        mov     x0, #SIGCHLD
        mov     x1, #0
        mov     x2, #0
        mov     x3, #0
        mov     x4, #0
        mov     x8, #SYS_clone
        svc     #0
        cbz     x0, child
        tbnz    x0, #63, fork_failed
        mov     x21, x0                         // x21 = the command's pid

        // 7. Tell peak-mem the pid, then close fd 3: its reader sees EOF once the child
        // has exec'd (the child's copy closes on exec).
        str     w21, [sp, #RECORD]
        str     wzr, [sp, #RECORD + 4]
        mov     x0, #RESULT_FD
        add     x1, sp, #RECORD
        mov     x2, #8
        mov     x8, #SYS_write
        svc     #0
        mov     x0, #EXEC_FD
        mov     x8, #SYS_close
        svc     #0

        // Ignore every signal but SIGCHLD (ignoring it would auto-reap the command), so
        // that Ctrl-C, SIGTERM, SIGHUP... leave the helper to report. SIGKILL and SIGSTOP
        // refuse (EINVAL): fine.
        mov     x0, #SIG_IGN
        stp     x0, xzr, [sp, #ACTION]
        stp     xzr, xzr, [sp, #ACTION + 16]
        mov     x22, #1                         // x22 = signal number
        mov     x8, #SYS_rt_sigaction
1:      cmp     x22, #SIGCHLD
        b.eq    2f
        mov     x0, x22
        add     x1, sp, #ACTION
        mov     x2, #0
        mov     x3, #SIGSET_SIZE
        svc     #0
2:      add     x22, x22, #1
        cmp     x22, #NSIG
        b.le    1b

        // Unblock: pending signals other than SIGCHLD are gone already.
        mov     x0, #SIG_SETMASK
        add     x1, sp, #OLD
        mov     x2, #0
        mov     x3, #SIGSET_SIZE
        mov     x8, #SYS_rt_sigprocmask
        svc     #0

        // 8. wait4(pid, &status, 0, &rusage) until it is not interrupted. The status
        // lands in the record's first int32.
        mov     x8, #SYS_wait4
3:      mov     x0, x21
        add     x1, sp, #RECORD
        mov     x2, #0
        add     x3, sp, #RUSAGE
        svc     #0
        cmn     x0, #EINTR
        b.eq    3b
        tbnz    x0, #63, wait_failed

        // 9. status, 0, rusage: one 152-byte write, atomic (below PIPE_BUF).
        str     wzr, [sp, #RECORD + 4]
        mov     x0, #RESULT_FD
        add     x1, sp, #RECORD
        mov     x2, #RECORD_SIZE
        mov     x8, #SYS_write
        svc     #0
        mov     x0, #0
        b       exit

        // 5. The child: the command gets the mask the helper came with, then replaces us.
child:
        mov     x0, #SIG_SETMASK
        add     x1, sp, #OLD
        mov     x2, #0
        mov     x3, #SIGSET_SIZE
        mov     x8, #SYS_rt_sigprocmask
        svc     #0
        ldr     x0, [x19, #16]                  // argv[1]: PATH, already resolved
        add     x1, x19, #24                    // &argv[2]: ARG0, ARG1, ..., NULL
        mov     x2, x20                         // our own envp
        mov     x8, #SYS_execve
        svc     #0
        // A file the kernel cannot run (a script without #!) is run by /bin/sh, as execvp
        // and every shell do: argv becomes "/bin/sh", PATH, ARG1, ... in place (argv[1] and
        // argv[2] rewritten; this is the child's own copy of the stack). If /bin/sh cannot
        // be run either, the command's own error is the one reported.
        cmn     x0, #ENOEXEC
        b.ne    4f
        ldr     x0, [x19, #16]
        str     x0, [x19, #24]                  // argv[2] = PATH, the shell's script
        adr     x0, shell
        str     x0, [x19, #16]                  // argv[1] = "/bin/sh"
        add     x1, x19, #16
        mov     x2, x20
        mov     x8, #SYS_execve
        svc     #0
        mov     x0, #-ENOEXEC
4:      mov     x23, #STAGE_EXEC
        mov     x24, #127                       // as a shell's "cannot run"
        b       report

        // 6. No child: say why, exit as peak-mem's own failure.
fork_failed:
        mov     x23, #STAGE_FORK
        mov     x24, #125

        // The exec-status record: int32 stage (x23), int32 errno (-x0); exit x24.
report:
        neg     w0, w0
        stp     w23, w0, [sp, #RECORD]
        mov     x0, #EXEC_FD
        add     x1, sp, #RECORD
        mov     x2, #8
        mov     x8, #SYS_write
        svc     #0
        mov     x0, x24
        b       exit

        // wait4 failed (ECHILD cannot happen: the pid is ours): no result record.
wait_failed:
        mov     x0, #125
exit:
        mov     x8, #SYS_exit_group
        svc     #0

name:   .asciz  "peak-mem-spawn"                // 15 bytes: fits TASK_COMM_LEN 16
shell:  .asciz  "/bin/sh"
