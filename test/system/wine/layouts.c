/* The struct layouts that src/platform/windows/decode.ts reads, checked against the
 * MinGW-w64 headers at compile time (x86_64): this file compiles only if every offset
 * and size holds. Built by test/system/wine/setup.sh; nothing is run. */
#include <windows.h>
#include <psapi.h>
#include <tlhelp32.h>
#include <stddef.h>

_Static_assert(sizeof(PROCESS_MEMORY_COUNTERS) == 72, "PROCESS_MEMORY_COUNTERS size");
_Static_assert(offsetof(PROCESS_MEMORY_COUNTERS, cb) == 0, "cb");
_Static_assert(offsetof(PROCESS_MEMORY_COUNTERS, PageFaultCount) == 4, "PageFaultCount");
_Static_assert(offsetof(PROCESS_MEMORY_COUNTERS, PeakWorkingSetSize) == 8, "PeakWorkingSetSize");
_Static_assert(offsetof(PROCESS_MEMORY_COUNTERS, WorkingSetSize) == 16, "WorkingSetSize");
_Static_assert(offsetof(PROCESS_MEMORY_COUNTERS, PagefileUsage) == 56, "PagefileUsage");
_Static_assert(offsetof(PROCESS_MEMORY_COUNTERS, PeakPagefileUsage) == 64, "PeakPagefileUsage");

_Static_assert(sizeof(PROCESSENTRY32W) == 568, "PROCESSENTRY32W size");
_Static_assert(offsetof(PROCESSENTRY32W, dwSize) == 0, "dwSize");
_Static_assert(offsetof(PROCESSENTRY32W, th32ProcessID) == 8, "th32ProcessID");
_Static_assert(offsetof(PROCESSENTRY32W, cntThreads) == 28, "cntThreads");
_Static_assert(offsetof(PROCESSENTRY32W, th32ParentProcessID) == 32, "th32ParentProcessID");
_Static_assert(offsetof(PROCESSENTRY32W, szExeFile) == 44, "szExeFile");
_Static_assert(sizeof(((PROCESSENTRY32W *)0)->szExeFile) == 260 * 2, "szExeFile length");

_Static_assert(sizeof(FILETIME) == 8, "FILETIME size");
_Static_assert(offsetof(FILETIME, dwLowDateTime) == 0, "dwLowDateTime");
_Static_assert(offsetof(FILETIME, dwHighDateTime) == 4, "dwHighDateTime");

_Static_assert(sizeof(MEMORYSTATUSEX) == 64, "MEMORYSTATUSEX size");
_Static_assert(offsetof(MEMORYSTATUSEX, dwLength) == 0, "dwLength");
_Static_assert(offsetof(MEMORYSTATUSEX, ullTotalPhys) == 8, "ullTotalPhys");

_Static_assert(sizeof(JOBOBJECT_BASIC_LIMIT_INFORMATION) == 64, "JOBOBJECT_BASIC_LIMIT_INFORMATION size");
_Static_assert(sizeof(JOBOBJECT_EXTENDED_LIMIT_INFORMATION) == 144, "JOBOBJECT_EXTENDED_LIMIT_INFORMATION size");
_Static_assert(offsetof(JOBOBJECT_EXTENDED_LIMIT_INFORMATION, BasicLimitInformation.LimitFlags) == 16, "LimitFlags");
_Static_assert(offsetof(JOBOBJECT_EXTENDED_LIMIT_INFORMATION, ProcessMemoryLimit) == 112, "ProcessMemoryLimit");
_Static_assert(offsetof(JOBOBJECT_EXTENDED_LIMIT_INFORMATION, JobMemoryLimit) == 120, "JobMemoryLimit");
_Static_assert(JOB_OBJECT_LIMIT_PROCESS_MEMORY == 0x100, "JOB_OBJECT_LIMIT_PROCESS_MEMORY");
_Static_assert(JOB_OBJECT_LIMIT_JOB_MEMORY == 0x200, "JOB_OBJECT_LIMIT_JOB_MEMORY");
_Static_assert(JobObjectExtendedLimitInformation == 9, "JobObjectExtendedLimitInformation");

_Static_assert(sizeof(HANDLE) == 8, "HANDLE is 64-bit");
