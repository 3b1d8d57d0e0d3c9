package testproxy

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"strconv"
	"testing"
	"time"
)

// SOCKS5 is a SOCKS5 server on loopback (RFC 1928, CONNECT only). With
// User set, clients must authenticate with username/password (RFC 1929);
// otherwise only "no authentication" is offered.
type SOCKS5 struct {
	Stats
	// Addr is its host:port.
	Addr string

	user, password string
	resolver       Resolver
}

// SOCKS5Options configure NewSOCKS5.
type SOCKS5Options struct {
	User, Password string
	// Hosts are names the server resolves itself (name → IP address).
	Hosts map[string]string
}

// NewSOCKS5 starts a SOCKS5 server, stopped at the end of the test.
func NewSOCKS5(t testing.TB, o SOCKS5Options) *SOCKS5 {
	t.Helper()
	s := &SOCKS5{user: o.User, password: o.Password, resolver: Resolver{Hosts: o.Hosts}}
	ln := listen(t)
	s.Addr = ln.Addr().String()
	l := countingListener{Listener: ln, s: &s.Stats}
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go s.serve(c)
		}
	}()
	t.Cleanup(s.closeAll)
	return s
}

// SOCKS5 constants (RFC 1928, 1929).
const (
	socksVersion   = 5
	methodNoAuth   = 0x00
	methodUserPass = 0x02
	methodNone     = 0xff
	cmdConnect     = 1
	atypIPv4       = 1
	atypDomain     = 3
	atypIPv6       = 4

	repSucceeded       = 0
	repFailure         = 1
	repHostUnreachable = 4
	repCmdUnsupported  = 7
	repAtypUnsupported = 8
)

func (s *SOCKS5) serve(c net.Conn) {
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	r := bufio.NewReader(c)
	if err := s.negotiate(r, c); err != nil {
		return
	}
	addr, domain, err := readRequest(r, c)
	if err != nil {
		return
	}
	s.record(Target{Addr: addr, Domain: domain, Via: "socks5"})
	target, err := s.resolver.dial(context.Background(), addr)
	if err != nil {
		reply(c, repHostUnreachable)
		return
	}
	s.track(target)
	defer s.untrack(target)
	reply(c, repSucceeded)
	c.SetDeadline(time.Time{})
	if n := r.Buffered(); n > 0 {
		b, _ := r.Peek(n)
		target.Write(b)
	}
	pipe(c, target)
}

// negotiate picks the method and, for username/password, checks them.
func (s *SOCKS5) negotiate(r *bufio.Reader, c net.Conn) error {
	var hdr [2]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil || hdr[0] != socksVersion {
		return errors.New("not SOCKS5")
	}
	methods := make([]byte, hdr[1])
	if _, err := io.ReadFull(r, methods); err != nil {
		return err
	}
	want := byte(methodNoAuth)
	if s.user != "" {
		want = methodUserPass
	}
	offered := false
	for _, m := range methods {
		offered = offered || m == want
	}
	if !offered {
		s.AuthFailures.Add(1)
		c.Write([]byte{socksVersion, methodNone})
		return errors.New("no acceptable method")
	}
	c.Write([]byte{socksVersion, want})
	if want == methodNoAuth {
		return nil
	}
	// RFC 1929: VER=1 ULEN UNAME PLEN PASSWD.
	ver, _ := r.ReadByte()
	user, err1 := readShort(r)
	pass, err2 := readShort(r)
	if ver != 1 || err1 != nil || err2 != nil || user != s.user || pass != s.password {
		s.AuthFailures.Add(1)
		c.Write([]byte{1, 1})
		return errors.New("bad credentials")
	}
	_, err := c.Write([]byte{1, 0})
	return err
}

func readShort(r *bufio.Reader) (string, error) {
	n, err := r.ReadByte()
	if err != nil {
		return "", err
	}
	b := make([]byte, n)
	_, err = io.ReadFull(r, b)
	return string(b), err
}

// readRequest reads a CONNECT request: the target as sent and whether it
// was a domain name.
func readRequest(r *bufio.Reader, c net.Conn) (string, bool, error) {
	var hdr [4]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil || hdr[0] != socksVersion {
		return "", false, errors.New("bad request")
	}
	if hdr[1] != cmdConnect {
		reply(c, repCmdUnsupported)
		return "", false, errors.New("only CONNECT")
	}
	var host string
	domain := false
	switch hdr[3] {
	case atypIPv4, atypIPv6:
		n := 4
		if hdr[3] == atypIPv6 {
			n = 16
		}
		b := make([]byte, n)
		if _, err := io.ReadFull(r, b); err != nil {
			return "", false, err
		}
		host = net.IP(b).String()
	case atypDomain:
		name, err := readShort(r)
		if err != nil {
			return "", false, err
		}
		host, domain = name, true
	default:
		reply(c, repAtypUnsupported)
		return "", false, errors.New("address type")
	}
	var port [2]byte
	if _, err := io.ReadFull(r, port[:]); err != nil {
		return "", false, err
	}
	return net.JoinHostPort(host, strconv.Itoa(int(binary.BigEndian.Uint16(port[:])))), domain, nil
}

// reply answers a request with a status and a zero bound address.
func reply(c net.Conn, rep byte) {
	c.Write([]byte{socksVersion, rep, 0, atypIPv4, 0, 0, 0, 0, 0, 0})
}
