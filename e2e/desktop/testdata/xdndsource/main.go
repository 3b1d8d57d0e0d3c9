// Command xdndsource drags a text/uri-list onto an X window with the XDND
// protocol, as a browser does when a link is dragged out of it: it takes
// XdndSelection, sends XdndEnter, XdndPosition (with the pointer's place)
// and, once the target accepts, XdndDrop, serves the data the target asks
// for, and exits 0 when the target reports XdndFinished.
//
//	xdndsource WINDOW X Y URI…
//
// WINDOW is the target's X window id (xdotool search), X and Y the drop
// point on screen. It exits 1 with a message when the target refuses or
// does not answer in 10 s.
package main

/*
#cgo LDFLAGS: -lX11
#include <stdlib.h>
#include <string.h>
#include <X11/Xlib.h>
#include <X11/Xatom.h>
#include <time.h>

static Atom atom(Display *d, const char *n) { return XInternAtom(d, n, False); }

static void sendClient(Display *d, Window to, Atom type, long l0, long l1, long l2, long l3, long l4) {
	XEvent e;
	memset(&e, 0, sizeof e);
	e.xclient.type = ClientMessage;
	e.xclient.display = d;
	e.xclient.window = to;
	e.xclient.message_type = type;
	e.xclient.format = 32;
	e.xclient.data.l[0] = l0;
	e.xclient.data.l[1] = l1;
	e.xclient.data.l[2] = l2;
	e.xclient.data.l[3] = l3;
	e.xclient.data.l[4] = l4;
	XSendEvent(d, to, False, NoEventMask, &e);
	XFlush(d);
}

// run returns 0 on a finished drop, else a code saying where it stopped.
static int run(Window target, int x, int y, const char *data) {
	Display *d = XOpenDisplay(NULL);
	if (!d) return 10;
	Window src = XCreateSimpleWindow(d, DefaultRootWindow(d), 0, 0, 1, 1, 0, 0, 0);
	Atom sel = atom(d, "XdndSelection"), uriList = atom(d, "text/uri-list");
	Atom enter = atom(d, "XdndEnter"), position = atom(d, "XdndPosition"), status = atom(d, "XdndStatus");
	Atom drop = atom(d, "XdndDrop"), finished = atom(d, "XdndFinished"), copy = atom(d, "XdndActionCopy");
	XSetSelectionOwner(d, sel, src, CurrentTime);
	sendClient(d, target, enter, src, 5L << 24, uriList, None, None);
	sendClient(d, target, position, src, 0, ((long)x << 16) | y, CurrentTime, copy);
	int dropped = 0;
	for (int waited = 0; waited < 10000;) {
		if (!XPending(d)) {
			struct timespec ts = {0, 10 * 1000 * 1000};
			nanosleep(&ts, NULL);
			waited += 10;
			continue;
		}
		XEvent e;
		XNextEvent(d, &e);
		if (e.type == ClientMessage && e.xclient.message_type == status) {
			if (!(e.xclient.data.l[1] & 1)) return 2; // refused
			if (!dropped) {
				sendClient(d, target, drop, src, 0, CurrentTime, 0, 0);
				dropped = 1;
			}
		} else if (e.type == SelectionRequest) {
			XSelectionRequestEvent *r = &e.xselectionrequest;
			XEvent reply;
			memset(&reply, 0, sizeof reply);
			reply.xselection.type = SelectionNotify;
			reply.xselection.requestor = r->requestor;
			reply.xselection.selection = r->selection;
			reply.xselection.target = r->target;
			reply.xselection.time = r->time;
			reply.xselection.property = None;
			if (r->target == uriList) {
				XChangeProperty(d, r->requestor, r->property, uriList, 8, PropModeReplace,
					(const unsigned char *)data, strlen(data));
				reply.xselection.property = r->property;
			}
			XSendEvent(d, r->requestor, False, NoEventMask, &reply);
			XFlush(d);
		} else if (e.type == ClientMessage && e.xclient.message_type == finished) {
			// Bit 0 says accepted; GLFW puts the length of the data there.
			return e.xclient.data.l[1] ? 0 : 3;
		}
	}
	return dropped ? 4 : 5;
}
*/
import "C"

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"unsafe"
)

func main() {
	if len(os.Args) < 5 {
		fmt.Fprintln(os.Stderr, "usage: xdndsource WINDOW X Y URI…")
		os.Exit(2)
	}
	win, err1 := strconv.ParseUint(os.Args[1], 0, 32)
	x, err2 := strconv.Atoi(os.Args[2])
	y, err3 := strconv.Atoi(os.Args[3])
	if err1 != nil || err2 != nil || err3 != nil {
		fmt.Fprintln(os.Stderr, "xdndsource: bad WINDOW, X or Y")
		os.Exit(2)
	}
	data := C.CString(strings.Join(os.Args[4:], "\r\n") + "\r\n")
	defer C.free(unsafe.Pointer(data))
	if code := C.run(C.Window(win), C.int(x), C.int(y), data); code != 0 {
		why := map[C.int]string{2: "the target refused the drop", 3: "the target did not take the data",
			4: "no XdndFinished after the drop", 5: "no XdndStatus", 10: "no X display"}[code]
		fmt.Fprintln(os.Stderr, "xdndsource:", why)
		os.Exit(1)
	}
}
