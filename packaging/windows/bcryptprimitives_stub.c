/*
 * bcryptprimitives.dll for the Wine prefix that runs duban's tests under Windows Python.
 *
 * Why: Rust's standard library (1.78 and later) takes its random numbers from
 * bcryptprimitives.dll!ProcessPrng, which Wine 8 does not export; wheels built with Rust
 * (cryptography, used by msoffcrypto-tool in the password-protected workbook tests) then
 * fail to import. ProcessPrng is forwarded to advapi32's RtlGenRandom (exported as
 * SystemFunction036). The bundle does not need it; it goes into the prefix only.
 */
#include <windows.h>

typedef BOOLEAN(WINAPI *random_fill)(PVOID buffer, ULONG length);

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE buffer, SIZE_T length)
{
    static random_fill fill;
    if (fill == NULL) {
        HMODULE advapi = LoadLibraryA("advapi32.dll");
        if (advapi == NULL)
            return FALSE;
        fill = (random_fill)GetProcAddress(advapi, "SystemFunction036");
        if (fill == NULL)
            return FALSE;
    }
    while (length > 0) {
        ULONG chunk = length > 0x10000000 ? 0x10000000 : (ULONG)length;
        if (!fill(buffer, chunk))
            return FALSE;
        buffer += chunk;
        length -= chunk;
    }
    return TRUE;
}
