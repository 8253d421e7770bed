// Package faultproxy is a TCP proxy for fault tests: it forwards a loopback
// port to a service and can cut every connection and refuse new ones
// (Stop), then let them through again (Start), which a client sees exactly
// as the service going down and coming back. It can also hang (Hang): keep
// every connection open, accept new ones, and forward nothing, which a
// client sees as a service that stopped answering (a paused process, a
// dropped route) until Resume lets the held data through.
package faultproxy

import (
	"net"
	"sync"
	"testing"
)

// Proxy forwards connections from Addr to a target address.
type Proxy struct {
	target string
	ln     net.Listener

	mu      sync.Mutex
	flowing sync.Cond // signalled when hung turns false or a connection is dropped
	stopped bool
	hung    bool
	conns   map[net.Conn]struct{}
	wg      sync.WaitGroup
}

// New starts a proxy on a free loopback port in front of target and stops
// it when the test ends.
func New(t testing.TB, target string) *Proxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &Proxy{target: target, ln: ln, conns: map[net.Conn]struct{}{}}
	p.flowing.L = &p.mu
	p.wg.Add(1)
	go p.accept()
	t.Cleanup(p.close)
	return p
}

// Addr is the proxy's address ("127.0.0.1:port").
func (p *Proxy) Addr() string { return p.ln.Addr().String() }

// Stop cuts every open connection and makes new ones fail at once, as if
// the service had stopped.
func (p *Proxy) Stop() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.stopped = true
	for c := range p.conns {
		c.Close()
	}
	clear(p.conns)
	p.flowing.Broadcast()
}

// Hang stops forwarding in both directions without closing anything: open
// connections stay open and silent, new ones are accepted (and connected
// to the target) but get no answer, as when the service is paused
// (SIGSTOP). Resume ends it.
func (p *Proxy) Hang() {
	p.mu.Lock()
	p.hung = true
	p.mu.Unlock()
}

// Resume forwards again, starting with what was held while hung.
func (p *Proxy) Resume() {
	p.mu.Lock()
	p.hung = false
	p.flowing.Broadcast()
	p.mu.Unlock()
}

// Start lets connections through again.
func (p *Proxy) Start() {
	p.mu.Lock()
	p.stopped = false
	p.mu.Unlock()
}

func (p *Proxy) close() {
	p.Stop()
	p.ln.Close()
	p.wg.Wait()
}

func (p *Proxy) accept() {
	defer p.wg.Done()
	for {
		client, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
		stopped := p.stopped
		p.mu.Unlock()
		if stopped {
			client.Close()
			continue
		}
		server, err := net.Dial("tcp", p.target)
		if err != nil {
			client.Close()
			continue
		}
		if !p.track(client, server) {
			continue
		}
		p.wg.Add(2)
		go p.pipe(client, server)
		go p.pipe(server, client)
	}
}

// track registers both ends unless the proxy stopped meanwhile.
func (p *Proxy) track(a, b net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.stopped {
		a.Close()
		b.Close()
		return false
	}
	p.conns[a] = struct{}{}
	p.conns[b] = struct{}{}
	return true
}

func (p *Proxy) pipe(dst, src net.Conn) {
	defer p.wg.Done()
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			if !p.wait(dst) {
				break
			}
			if _, err := dst.Write(buf[:n]); err != nil {
				break
			}
		}
		if err != nil {
			break
		}
	}
	dst.Close()
	src.Close()
	p.mu.Lock()
	delete(p.conns, dst)
	delete(p.conns, src)
	p.flowing.Broadcast()
	p.mu.Unlock()
}

// wait blocks while the proxy hangs, and reports whether c is still open
// (Stop or the other direction's end closes it).
func (p *Proxy) wait(c net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	for {
		if _, ok := p.conns[c]; !ok {
			return false
		}
		if !p.hung {
			return true
		}
		p.flowing.Wait()
	}
}
