// Command faultserver is the file server of scripts/faults.sh: it serves
// the files of a directory with http.ServeContent (so Range and If-Range
// are answered as a correct server answers them), a strong ETag per file
// version, and faults switched on and off at run time.
//
//	faultserver -listen 198.18.0.1:8080 -root DIR [-rate BYTES_PER_S]
//
// The ETag is derived from the file's inode, size and modification time, so
// replacing a file (even with content of the same size) gives a new ETag.
// A response keeps reading the file version it opened.
//
// Control endpoints (same listener, prefix /_ctl/):
//
//	GET  /_ctl/bytes              body bytes written since the last reset
//	GET  /_ctl/stats              bytes, requests, range requests, and
//	                              maxparallel: the most GET responses of
//	                              one path open at once (text)
//	POST /_ctl/reset              zero the counters
//	POST /_ctl/mode?k=v…          set faults; keys:
//	       rate=N                 bytes per second per response (0: unlimited)
//	       cut=N                  close every response after N body bytes
//	                              (0: off), as a server dying mid-body does
//	       wrong206=MODE          answer every Range request with a wrong
//	                              206: "offset" (Content-Range starts 4096
//	                              bytes later than asked, with those bytes),
//	                              "total" (a wrong complete length),
//	                              "full" (the whole body labelled
//	                              bytes 0-…), or "" (off)
//	       stall=0|1              stop sending body bytes (connections stay)
//	       norange=0|1            stop honouring ranges: no Accept-Ranges,
//	                              every GET gets 200 and the whole body
//	POST /_ctl/drop[?n=N]         close every open connection now (or N)
//	POST /_ctl/change?path=/NAME[&drop=0]  replace the file with new random
//	                              content of the same size (new ETag), then
//	                              drop every open connection (drop=0: keep
//	                              them; open responses go on sending the
//	                              old version)
//
// Every body byte handed to a connection is counted, so the bytes a client
// fetched twice are the counter minus the sizes of the files.
package main
