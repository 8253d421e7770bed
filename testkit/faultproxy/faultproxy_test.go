package faultproxy

import (
	"bufio"
	"errors"
	"net"
	"testing"
	"time"
)

func echoServer(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				r := bufio.NewReader(c)
				for {
					line, err := r.ReadString('\n')
					if err != nil {
						return
					}
					c.Write([]byte(line))
				}
			}()
		}
	}()
	return ln.Addr().String()
}

func roundTrip(addr string) error {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		return err
	}
	defer c.Close()
	if _, err := c.Write([]byte("ping\n")); err != nil {
		return err
	}
	_, err = bufio.NewReader(c).ReadString('\n')
	return err
}

func TestStopAndStart(t *testing.T) {
	p := New(t, echoServer(t))
	if err := roundTrip(p.Addr()); err != nil {
		t.Fatalf("through the proxy: %v", err)
	}
	open, err := net.Dial("tcp", p.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer open.Close()
	open.Write([]byte("x\n"))
	bufio.NewReader(open).ReadString('\n')
	p.Stop()
	if err := roundTrip(p.Addr()); err == nil {
		t.Fatal("a round trip succeeded while stopped")
	}
	if _, err := bufio.NewReader(open).ReadString('\n'); err == nil {
		t.Fatal("an open connection survived Stop")
	}
	p.Start()
	if err := roundTrip(p.Addr()); err != nil {
		t.Fatalf("after Start: %v", err)
	}
}

func TestHangAndResume(t *testing.T) {
	p := New(t, echoServer(t))
	open, err := net.Dial("tcp", p.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer open.Close()
	r := bufio.NewReader(open)
	open.Write([]byte("before\n"))
	if line, err := r.ReadString('\n'); err != nil || line != "before\n" {
		t.Fatalf("before Hang: %q %v", line, err)
	}
	p.Hang()
	// An open connection stays open and gets no answer.
	open.Write([]byte("held\n"))
	open.SetReadDeadline(time.Now().Add(200 * time.Millisecond))
	if _, err := r.ReadString('\n'); !isTimeout(err) {
		t.Fatalf("a read while hung: %v, want a timeout", err)
	}
	// A new connection is accepted, and gets no answer either.
	fresh, err := net.DialTimeout("tcp", p.Addr(), time.Second)
	if err != nil {
		t.Fatalf("dial while hung: %v", err)
	}
	defer fresh.Close()
	fr := bufio.NewReader(fresh)
	fresh.Write([]byte("new\n"))
	fresh.SetReadDeadline(time.Now().Add(200 * time.Millisecond))
	if _, err := fr.ReadString('\n'); !isTimeout(err) {
		t.Fatalf("a new connection's read while hung: %v, want a timeout", err)
	}
	p.Resume()
	// What was held arrives, and the connections work again.
	open.SetReadDeadline(time.Now().Add(2 * time.Second))
	if line, err := r.ReadString('\n'); err != nil || line != "held\n" {
		t.Fatalf("after Resume: %q %v, want the held line", line, err)
	}
	fresh.SetReadDeadline(time.Now().Add(2 * time.Second))
	if line, err := fr.ReadString('\n'); err != nil || line != "new\n" {
		t.Fatalf("new connection after Resume: %q %v", line, err)
	}
	if err := roundTrip(p.Addr()); err != nil {
		t.Fatalf("after Resume: %v", err)
	}
}

// TestStopWhileHung: Stop cuts hung connections too.
func TestStopWhileHung(t *testing.T) {
	p := New(t, echoServer(t))
	open, err := net.Dial("tcp", p.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer open.Close()
	p.Hang()
	open.Write([]byte("held\n"))
	time.Sleep(50 * time.Millisecond)
	p.Stop()
	open.SetReadDeadline(time.Now().Add(2 * time.Second))
	if _, err := bufio.NewReader(open).ReadString('\n'); err == nil || isTimeout(err) {
		t.Fatalf("a hung connection after Stop: %v, want it closed", err)
	}
	p.Resume()
	p.Start()
	if err := roundTrip(p.Addr()); err != nil {
		t.Fatalf("after Start: %v", err)
	}
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}
