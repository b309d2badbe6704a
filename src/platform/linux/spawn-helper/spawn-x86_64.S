# peak-mem-spawn for x86_64 Linux: forks the command, reaps it, and reports the rusage
# of what it reaped (GNU time's design). Why it exists and the byte protocol:
# src/platform/linux/spawn-helper/protocol.ts. Invoked as
#   helper ARGV0 PATH ARG0 ARG1 ...   fd 3 = exec-status pipe, fd 4 = result pipe
# Raw syscalls only, no libc, no data section, position-independent (rip-relative):
# elf.ts loads these bytes at an address of its choosing. Plain `as` input: no cpp.
#
# Syscall numbers: arch/x86/entry/syscalls/syscall_64.tbl. Arguments in rdi, rsi, rdx,
# r10, r8; number and result in rax, -errno on failure; rcx and r11 are clobbered.

        .equ SYS_write, 1
        .equ SYS_close, 3
        .equ SYS_rt_sigaction, 13
        .equ SYS_rt_sigprocmask, 14
        .equ SYS_clone, 56
        .equ SYS_execve, 59
        .equ SYS_wait4, 61
        .equ SYS_fcntl, 72
        .equ SYS_prctl, 157
        .equ SYS_exit_group, 231

        .equ F_SETFD, 2                 # include/uapi/asm-generic/fcntl.h
        .equ FD_CLOEXEC, 1
        .equ PR_SET_NAME, 15            # include/uapi/linux/prctl.h
        .equ SIG_BLOCK, 0               # include/uapi/asm-generic/signal-defs.h
        .equ SIG_SETMASK, 2
        .equ SIG_IGN, 1
        .equ SIGCHLD, 17                # arch/x86/include/uapi/asm/signal.h
        .equ NSIG, 64
        .equ SIGSET_SIZE, 8             # the kernel's sigset_t: 64 bits
        .equ EINTR, 4                   # include/uapi/asm-generic/errno-base.h
        .equ ENOEXEC, 8

        .equ EXEC_FD, 3
        .equ RESULT_FD, 4
        .equ STAGE_FORK, 1
        .equ STAGE_EXEC, 2

        # The frame below rsp, 16-byte aligned as the entry rsp is.
        .equ ALL, 0                     # sigset_t: every signal
        .equ OLD, 8                     # sigset_t: the mask the helper came with
        .equ RECORD, 16                 # int32, int32, then struct rusage (144 bytes)
        .equ RUSAGE, RECORD + 8
        .equ RECORD_SIZE, 8 + 144
        .equ ACTION, RECORD + RECORD_SIZE   # struct sigaction: handler, flags, restorer, mask
        .equ FRAME, ACTION + 32 + 8         # 208

        .text
        .globl _start
_start:
        # The entry stack (System V ABI): argc, argv[0..argc-1], NULL, envp[].
        mov     %rsp, %r12                      # r12 = &argc, for argv
        mov     (%rsp), %rax
        lea     16(%rsp,%rax,8), %r13           # r13 = envp = &argv[argc + 1]
        sub     $FRAME, %rsp

        # 1. The pipes must not reach the command: close them on its exec.
        mov     $SYS_fcntl, %eax
        mov     $EXEC_FD, %edi
        mov     $F_SETFD, %esi
        mov     $FD_CLOEXEC, %edx
        syscall
        mov     $SYS_fcntl, %eax
        mov     $RESULT_FD, %edi
        mov     $F_SETFD, %esi
        mov     $FD_CLOEXEC, %edx
        syscall

        # 2. A name for ps: the exec'd path is a /proc/PID/fd/N.
        mov     $SYS_prctl, %eax
        mov     $PR_SET_NAME, %edi
        lea     name(%rip), %rsi
        syscall

        # 3. Block every signal until the dispositions are set, keeping the old mask for
        # the command: a signal arriving meanwhile waits, then is discarded by SIG_IGN.
        movq    $-1, ALL(%rsp)
        mov     $SYS_rt_sigprocmask, %eax
        mov     $SIG_BLOCK, %edi
        lea     ALL(%rsp), %rsi
        lea     OLD(%rsp), %rdx
        mov     $SIGSET_SIZE, %r10d
        syscall

        # 4. fork: clone(flags = SIGCHLD, newsp, parent_tid, child_tid, tls all 0).
        mov     $SYS_clone, %eax
        mov     $SIGCHLD, %edi
        xor     %esi, %esi
        xor     %edx, %edx
        xor     %r10d, %r10d
        xor     %r8d, %r8d
        syscall
        test    %rax, %rax
        jz      child
        js      fork_failed
        mov     %rax, %r14                      # r14 = the command's pid

        # 7. Tell peak-mem the pid, then close fd 3: its reader sees EOF once the child
        # has exec'd (the child's copy closes on exec).
        mov     %r14d, RECORD(%rsp)
        movl    $0, RECORD+4(%rsp)
        mov     $SYS_write, %eax
        mov     $RESULT_FD, %edi
        lea     RECORD(%rsp), %rsi
        mov     $8, %edx
        syscall
        mov     $SYS_close, %eax
        mov     $EXEC_FD, %edi
        syscall

        # Ignore every signal but SIGCHLD (ignoring it would auto-reap the command), so
        # that Ctrl-C, SIGTERM, SIGHUP... leave the helper to report. SIGKILL and SIGSTOP
        # refuse (EINVAL): fine.
        movq    $SIG_IGN, ACTION(%rsp)
        movq    $0, ACTION+8(%rsp)
        movq    $0, ACTION+16(%rsp)
        movq    $0, ACTION+24(%rsp)
        mov     $1, %r15d                       # r15 = signal number
1:      cmp     $SIGCHLD, %r15d
        je      2f
        mov     $SYS_rt_sigaction, %eax
        mov     %r15d, %edi
        lea     ACTION(%rsp), %rsi
        xor     %edx, %edx
        mov     $SIGSET_SIZE, %r10d
        syscall
2:      inc     %r15d
        cmp     $NSIG, %r15d
        jbe     1b

        # Unblock: pending signals other than SIGCHLD are gone already.
        mov     $SYS_rt_sigprocmask, %eax
        mov     $SIG_SETMASK, %edi
        lea     OLD(%rsp), %rsi
        xor     %edx, %edx
        mov     $SIGSET_SIZE, %r10d
        syscall

        # 8. wait4(pid, &status, 0, &rusage) until it is not interrupted. The status
        # lands in the record's first int32.
3:      mov     $SYS_wait4, %eax
        mov     %r14d, %edi
        lea     RECORD(%rsp), %rsi
        xor     %edx, %edx
        lea     RUSAGE(%rsp), %r10
        syscall
        cmp     $-EINTR, %rax
        je      3b
        test    %rax, %rax
        js      wait_failed

        # 9. status, 0, rusage: one 152-byte write, atomic (below PIPE_BUF).
        movl    $0, RECORD+4(%rsp)
        mov     $SYS_write, %eax
        mov     $RESULT_FD, %edi
        lea     RECORD(%rsp), %rsi
        mov     $RECORD_SIZE, %edx
        syscall
        xor     %edi, %edi
        jmp     exit

        # 5. The child: the command gets the mask the helper came with, then replaces us.
child:
        mov     $SYS_rt_sigprocmask, %eax
        mov     $SIG_SETMASK, %edi
        lea     OLD(%rsp), %rsi
        xor     %edx, %edx
        mov     $SIGSET_SIZE, %r10d
        syscall
        mov     $SYS_execve, %eax
        mov     16(%r12), %rdi                  # argv[1]: PATH, already resolved
        lea     24(%r12), %rsi                  # &argv[2]: ARG0, ARG1, ..., NULL
        mov     %r13, %rdx                      # our own envp
        syscall
        # A file the kernel cannot run (a script without #!) is run by /bin/sh, as execvp
        # and every shell do: argv becomes "/bin/sh", PATH, ARG1, ... in place (argv[1] and
        # argv[2] rewritten; this is the child's own copy of the stack). If /bin/sh cannot
        # be run either, the command's own error is the one reported.
        cmp     $-ENOEXEC, %rax
        jne     4f
        mov     16(%r12), %rdi
        mov     %rdi, 24(%r12)                  # argv[2] = PATH, the shell's script
        lea     shell(%rip), %rdi
        mov     %rdi, 16(%r12)                  # argv[1] = "/bin/sh"
        lea     16(%r12), %rsi
        mov     %r13, %rdx
        mov     $SYS_execve, %eax
        syscall
        mov     $-ENOEXEC, %rax
4:      mov     $STAGE_EXEC, %ebx
        mov     $127, %r15d                     # as a shell's "cannot run"
        jmp     report

        # 6. No child: say why, exit as peak-mem's own failure.
fork_failed:
        mov     $STAGE_FORK, %ebx
        mov     $125, %r15d

        # The exec-status record: int32 stage (ebx), int32 errno (-rax); exit r15d.
report:
        neg     %eax
        mov     %ebx, RECORD(%rsp)
        mov     %eax, RECORD+4(%rsp)
        mov     $SYS_write, %eax
        mov     $EXEC_FD, %edi
        lea     RECORD(%rsp), %rsi
        mov     $8, %edx
        syscall
        mov     %r15d, %edi
        jmp     exit

        # wait4 failed (ECHILD cannot happen: the pid is ours): no result record.
wait_failed:
        mov     $125, %edi
exit:
        mov     $SYS_exit_group, %eax
        syscall

name:   .asciz  "peak-mem-spawn"                # 15 bytes: fits TASK_COMM_LEN 16
shell:  .asciz  "/bin/sh"
