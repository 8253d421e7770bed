package redisstore

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/tetherweb/tether/testkit/servicetest"
)

// sharedClient returns a client of the shared Redis (servicetest), closed
// when the test ends; the test is skipped (or fails) when Redis is absent.
func sharedClient(t testing.TB) *redis.Client {
	t.Helper()
	addr := servicetest.RedisAddr(t)
	c := redis.NewClient(&redis.Options{Addr: addr, ContextTimeoutEnabled: true})
	t.Cleanup(func() { c.Close() })
	return c
}

// newPrefix returns a fresh random key prefix and, when the test ends,
// deletes every key under it through client, so the shared Redis is left
// as it was found. Register it after the client, so that it runs before
// the client is closed.
func newPrefix(t testing.TB, client redis.UniversalClient) string {
	t.Helper()
	var b [8]byte
	rand.Read(b[:])
	prefix := "tether:test:" + hex.EncodeToString(b[:]) + ":"
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		keys, err := keysUnder(ctx, client, prefix)
		if err != nil {
			t.Errorf("cleanup of %s*: %v", prefix, err)
			return
		}
		if len(keys) == 0 {
			return
		}
		pipe := client.Pipeline()
		for _, k := range keys {
			pipe.Del(ctx, k) // one key a command: keys are in many slots on a Cluster
		}
		if _, err := pipe.Exec(ctx); err != nil {
			t.Errorf("cleanup of %s*: %v", prefix, err)
		}
		if left, err := keysUnder(ctx, client, prefix); err != nil || len(left) != 0 {
			t.Errorf("cleanup of %s*: %d keys left, %v", prefix, len(left), err)
		}
	})
	return prefix
}

// keysUnder returns every key under prefix (on every master of a Cluster).
func keysUnder(ctx context.Context, client redis.UniversalClient, prefix string) ([]string, error) {
	s := &Store{client: client, prefix: prefix}
	var (
		mu   sync.Mutex
		keys []string
	)
	err := s.scan(ctx, func(k []string) {
		mu.Lock()
		keys = append(keys, k...)
		mu.Unlock()
	})
	return keys, err
}

// eventually polls cond every few milliseconds until it holds, and fails
// the test when it does not within the time given.
func eventually(t testing.TB, within time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %v", what, within)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// needBinaries skips the test (or fails it when services are required)
// unless every program is installed.
func needBinaries(t testing.TB, names ...string) {
	t.Helper()
	for _, n := range names {
		if _, err := exec.LookPath(n); err != nil {
			servicetest.Unavailable(t, "%s is not installed", n)
		}
	}
}

// freePort returns a loopback TCP port that was free a moment ago. With
// bus set, the port 10000 above it (a Cluster node's bus port) was free
// too.
func freePort(t testing.TB, bus bool) int {
	t.Helper()
	for range 100 {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		port := ln.Addr().(*net.TCPAddr).Port
		ln.Close()
		if !bus {
			return port
		}
		if port+10000 > 65535 {
			continue
		}
		if ln2, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(port+10000)); err == nil {
			ln2.Close()
			return port
		}
	}
	t.Fatal("no free port pair for a Cluster node")
	return 0
}

// redisProcess is a redis-server the test runs as a child process, on a
// loopback port, without persistence. It is killed when the test ends.
type redisProcess struct {
	t    testing.TB
	addr string
	args []string
	log  string

	mu   sync.Mutex
	cmd  *exec.Cmd
	done chan struct{}
}

// startRedis starts redis-server on port with the extra arguments, in dir,
// and waits until it answers PING.
func startRedis(t testing.TB, dir string, port int, extra ...string) *redisProcess {
	t.Helper()
	args := append([]string{
		"--port", strconv.Itoa(port),
		"--bind", "127.0.0.1",
		"--dir", dir,
		"--save", "",
		"--appendonly", "no",
		"--daemonize", "no",
	}, extra...)
	return runRedis(t, dir, port, args)
}

// startSentinel starts a Redis Sentinel on port, in dir, that monitors the
// master at masterAddr under the name master, and waits until it answers
// PING.
func startSentinel(t testing.TB, dir string, port int, master, masterAddr string) *redisProcess {
	t.Helper()
	host, masterPort, _ := net.SplitHostPort(masterAddr)
	conf := filepath.Join(dir, "sentinel-"+strconv.Itoa(port)+".conf")
	// Sentinel rewrites its configuration file: it must be writable.
	text := fmt.Sprintf("sentinel monitor %s %s %s 1\nsentinel down-after-milliseconds %s 5000\n", master, host, masterPort, master)
	if err := os.WriteFile(conf, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return runRedis(t, dir, port, []string{
		conf, "--sentinel",
		"--port", strconv.Itoa(port),
		"--bind", "127.0.0.1",
		"--dir", dir,
		"--daemonize", "no",
	})
}

// runRedis runs redis-server with args until the test ends.
func runRedis(t testing.TB, dir string, port int, args []string) *redisProcess {
	t.Helper()
	p := &redisProcess{
		t:    t,
		addr: "127.0.0.1:" + strconv.Itoa(port),
		args: args,
		log:  filepath.Join(dir, "redis-"+strconv.Itoa(port)+".log"),
	}
	t.Cleanup(p.Kill)
	p.Start()
	return p
}

// Start runs the server (again) and waits until it answers PING.
func (p *redisProcess) Start() {
	p.t.Helper()
	logFile, err := os.OpenFile(p.log, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		p.t.Fatal(err)
	}
	cmd := exec.Command("redis-server", p.args...)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		logFile.Close()
		p.t.Fatalf("redis-server: %v", err)
	}
	done := make(chan struct{})
	go func() {
		cmd.Wait()
		logFile.Close()
		close(done)
	}()
	p.mu.Lock()
	p.cmd, p.done = cmd, done
	p.mu.Unlock()

	c := redis.NewClient(&redis.Options{Addr: p.addr, DialTimeout: 100 * time.Millisecond, MaxRetries: -1})
	defer c.Close()
	deadline := time.Now().Add(10 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		err := c.Ping(ctx).Err()
		cancel()
		if err == nil {
			return
		}
		select {
		case <-done:
			p.t.Fatalf("redis-server on %s exited at start:\n%s", p.addr, p.logTail())
		default:
		}
		if time.Now().After(deadline) {
			p.t.Fatalf("redis-server on %s does not answer: %v\n%s", p.addr, err, p.logTail())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// Kill stops the server at once (SIGKILL: no shutdown, like a crash) and
// waits for it to exit. It does nothing when the server is not running.
func (p *redisProcess) Kill() {
	p.mu.Lock()
	cmd, done := p.cmd, p.done
	p.cmd = nil
	p.mu.Unlock()
	if cmd == nil {
		return
	}
	cmd.Process.Kill()
	<-done
}

// Pause stops the server's process (SIGSTOP): its connections stay open
// and new ones are accepted by the kernel, but nothing answers, as with a
// hung server. Continue (SIGCONT) resumes it; Kill works on a paused
// server too.
func (p *redisProcess) Pause() {
	p.t.Helper()
	p.mu.Lock()
	cmd := p.cmd
	p.mu.Unlock()
	if cmd == nil {
		p.t.Fatal("redis-server is not running")
	}
	servicetest.Stop(p.t, cmd.Process.Pid) // waits until it has stopped
}

// Continue resumes a paused server (SIGCONT).
func (p *redisProcess) Continue() { p.signal(syscall.SIGCONT) }

func (p *redisProcess) signal(sig os.Signal) {
	p.t.Helper()
	p.mu.Lock()
	cmd := p.cmd
	p.mu.Unlock()
	if cmd == nil {
		p.t.Fatal("redis-server is not running")
	}
	if err := cmd.Process.Signal(sig); err != nil {
		p.t.Fatalf("redis-server: %v: %v", sig, err)
	}
}

// logTail returns the end of the server's log, for failure messages.
func (p *redisProcess) logTail() string {
	b, _ := os.ReadFile(p.log)
	if len(b) > 2000 {
		b = b[len(b)-2000:]
	}
	return string(b)
}

// startCluster starts a Redis Cluster of three masters (no replicas) on
// free loopback ports and returns their addresses once every node reports
// cluster_state:ok. The nodes are killed when the test ends.
func startCluster(t testing.TB) []string {
	t.Helper()
	needBinaries(t, "redis-server", "redis-cli")
	dir := t.TempDir()
	var addrs []string
	for range 3 {
		port := freePort(t, true)
		p := startRedis(t, dir, port,
			"--cluster-enabled", "yes",
			"--cluster-config-file", filepath.Join(dir, "nodes-"+strconv.Itoa(port)+".conf"),
			"--cluster-node-timeout", "5000",
		)
		addrs = append(addrs, p.addr)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	args := append([]string{"--cluster", "create"}, addrs...)
	args = append(args, "--cluster-replicas", "0", "--cluster-yes")
	if out, err := exec.CommandContext(ctx, "redis-cli", args...).CombinedOutput(); err != nil {
		t.Fatalf("redis-cli --cluster create: %v\n%s", err, out)
	}

	for _, addr := range addrs {
		c := redis.NewClient(&redis.Options{Addr: addr})
		var info string
		ok := func() bool {
			ctx, cancel := context.WithTimeout(context.Background(), time.Second)
			defer cancel()
			info, _ = c.ClusterInfo(ctx).Result()
			return strings.Contains(info, "cluster_state:ok") && strings.Contains(info, "cluster_known_nodes:3")
		}
		deadline := time.Now().Add(20 * time.Second)
		for !ok() {
			if time.Now().After(deadline) {
				c.Close()
				t.Fatalf("cluster node %s not ready:\n%s", addr, info)
			}
			time.Sleep(20 * time.Millisecond)
		}
		c.Close()
	}
	return addrs
}

// countHook is a go-redis hook that records the commands a client sends.
type countHook struct {
	mu    sync.Mutex
	names []string
}

func (h *countHook) DialHook(next redis.DialHook) redis.DialHook { return next }

func (h *countHook) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		h.mu.Lock()
		h.names = append(h.names, cmd.Name())
		h.mu.Unlock()
		return next(ctx, cmd)
	}
}

func (h *countHook) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		h.mu.Lock()
		var b bytes.Buffer
		for i, c := range cmds {
			if i > 0 {
				b.WriteByte('+')
			}
			b.WriteString(c.Name())
		}
		h.names = append(h.names, fmt.Sprintf("pipeline(%s)", b.String()))
		h.mu.Unlock()
		return next(ctx, cmds)
	}
}

// take returns the commands recorded since the last call.
func (h *countHook) take() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	n := h.names
	h.names = nil
	return n
}
