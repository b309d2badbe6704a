/* A stand-in bcryptprimitives.dll for Wine 8 (Debian 12), which lacks it. Bun's Windows
 * runtime imports one function from it, ProcessPrng (Windows 10+: fills a buffer from the
 * system's random number generator and never fails); this one asks BCryptGenRandom, which
 * Wine has. Only for running peak-mem.exe under Wine in the tests: real Windows has the
 * real DLL. Built by test/system/wine/setup.sh with MinGW-w64:
 *   x86_64-w64-mingw32-gcc -shared -O2 -o bcryptprimitives.dll bcryptprimitives.c -lbcrypt
 * On x86_64 WINAPI adds no name decoration, so the export is plain "ProcessPrng". */
#include <windows.h>
#include <bcrypt.h>

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T length) {
    while (length > 0) {
        /* BCryptGenRandom takes a ULONG length: feed larger requests in pieces. */
        ULONG chunk = length > 0x40000000 ? 0x40000000 : (ULONG)length;
        if (!BCRYPT_SUCCESS(BCryptGenRandom(NULL, data, chunk, BCRYPT_USE_SYSTEM_PREFERRED_RNG))) return FALSE;
        data += chunk;
        length -= chunk;
    }
    return TRUE;
}
