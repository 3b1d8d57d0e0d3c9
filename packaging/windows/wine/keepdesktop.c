/*
 * keepdesktop.exe: holds Wine's default desktop open for the test bed.
 *
 * Wine closes a desktop (and its explorer.exe) shortly after the last
 * process using it exits. A bgfetch started during that moment makes its
 * instance window on the closing desktop, and the next program (the
 * test's endsession.exe) finds it on a new one, not at all. On Windows the
 * shell's desktop always exists; this process plays that part: it makes
 * one hidden window and waits until it is killed. Test bed only.
 */
#include <windows.h>

int WINAPI WinMain(HINSTANCE inst, HINSTANCE prev, LPSTR cmd, int show)
{
	MSG msg;
	(void)prev; (void)cmd; (void)show;
	CreateWindowExA(0, "STATIC", "bgfetch test bed desktop keeper", 0,
			0, 0, 0, 0, NULL, NULL, inst, NULL);
	while (GetMessageA(&msg, NULL, 0, 0) > 0)
		DispatchMessageA(&msg);
	return 0;
}
