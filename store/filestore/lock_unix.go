//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package filestore

import (
	"context"
	"os"
	"syscall"
)

// lockFile takes an exclusive flock(2) on the file at path, creating it
// if needed, and returns the function that releases it. flock excludes
// every other open file description, so it works between processes (and
// between Stores of one process) on the same directory. It gives up when
// ctx is done.
func lockFile(ctx context.Context, path string) (release func(), err error) {
	fd, err := syscall.Open(path, syscall.O_RDWR|syscall.O_CREAT|syscall.O_CLOEXEC, 0o600)
	if err != nil {
		return nil, &os.PathError{Op: "open", Path: path, Err: err}
	}
	release = func() {
		syscall.Flock(fd, syscall.LOCK_UN)
		syscall.Close(fd)
	}
	// The usual case: nobody else holds the lock.
	err = flock(fd, syscall.LOCK_EX|syscall.LOCK_NB)
	if err == nil {
		return release, nil
	}
	if err != syscall.EWOULDBLOCK {
		syscall.Close(fd)
		return nil, os.NewSyscallError("flock", err)
	}
	// Another process holds it: wait in a goroutine, so that a cancelled
	// context returns at once.
	got := make(chan error, 1)
	go func() { got <- flock(fd, syscall.LOCK_EX) }()
	select {
	case err := <-got:
		if err != nil {
			syscall.Close(fd)
			return nil, os.NewSyscallError("flock", err)
		}
		return release, nil
	case <-ctx.Done():
		// Closing the descriptor releases the lock if the waiter got it;
		// it must not be closed while the waiter still uses it.
		go func() {
			<-got
			syscall.Close(fd)
		}()
		return nil, ctx.Err()
	}
}

// flock is syscall.Flock retried on EINTR.
func flock(fd, how int) error {
	for {
		err := syscall.Flock(fd, how)
		if err != syscall.EINTR {
			return err
		}
	}
}
