/*
 * bcryptprimitives.dll for Wine 8.0, which has none: Go >= 1.24's Windows
 * runtime calls ProcessPrng from it at start and dies without it
 * ("bcryptprimitives.dll not found"). This one export draws on
 * RtlGenRandom (advapi32!SystemFunction036), which Wine has.
 *
 * Test bed only (packaging/windows/wine/prefix.sh builds it with
 * x86_64-w64-mingw32-gcc -shared and copies it into the private prefix's
 * system32); never shipped. Real Windows 8+ has the real DLL.
 */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len)
{
	while (len > 0) {
		ULONG n = len > 0x10000000 ? 0x10000000 : (ULONG)len;
		if (!SystemFunction036(data, n))
			return FALSE;
		data += n;
		len -= n;
	}
	return TRUE;
}

BOOL WINAPI DllMain(HINSTANCE inst, DWORD reason, LPVOID reserved)
{
	(void)inst; (void)reason; (void)reserved;
	return TRUE;
}
