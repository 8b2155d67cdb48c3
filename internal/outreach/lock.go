package outreach

import (
	"context"
	"fmt"
	"os"
	"sync"
	"time"
)

// The token cache lock
//
// Read-cache → mint → write-cache must be one critical section across every provider process of
// the machine (Terraform runs one per configured provider, tests run many): two processes that
// both find the access token expired would otherwise both spend the same refresh token, and the
// second would hit the 60-second mint throttle or keep a chain the first just rotated away.
//
// The cross-process lock is an advisory OS lock on "<cache file>.lock": flock(LOCK_EX) on Unix
// and LockFileEx on Windows (through golang.org/x/sys, already in the module graph). It was
// chosen over an O_CREATE|O_EXCL lock file because the kernel releases it when its holder dies:
// Terraform kills plugins on Ctrl-C and timeouts, and an O_EXCL file left behind would need
// stale-lock guessing (age, PID liveness), which is racy (PID reuse; two waiters declaring the
// same lock stale and both proceeding). The lock file itself is never deleted, since deleting a
// lock file that another process has open and is waiting on splits the lock in two.
//
// Inside one process a channel per path serializes first. flock is per open file description on
// Linux and BSD, so separate opens would exclude each other anyway, but where flock is emulated
// with per-process fcntl locks (some NFS setups) goroutines of one process would not; the
// channel makes that independent of the platform and spares goroutines the polling.

// lockPollMin and lockPollMax bound the wait between attempts while another process holds the
// lock. Real time is used, not Policy.Sleep: tests replace Policy.Sleep with a no-op, which
// would turn this wait into a busy loop.
const (
	lockPollMin = 10 * time.Millisecond
	lockPollMax = 250 * time.Millisecond
	// lockTimeout bounds the wait for a lock held by a hung process; a mint, throttling included,
	// takes far less.
	lockTimeout = 5 * time.Minute
)

var (
	processLocksMu sync.Mutex
	processLocks   = map[string]chan struct{}{}
)

func processLock(path string) chan struct{} {
	processLocksMu.Lock()
	defer processLocksMu.Unlock()
	ch, ok := processLocks[path]
	if !ok {
		ch = make(chan struct{}, 1)
		processLocks[path] = ch
	}
	return ch
}

// lockTokenCache takes the exclusive lock for a token cache and returns its release.
func lockTokenCache(ctx context.Context, lockPath string) (func(), error) {
	ctx, cancel := context.WithTimeout(ctx, lockTimeout)
	defer cancel()
	ch := processLock(lockPath)
	select {
	case ch <- struct{}{}:
	case <-ctx.Done():
		return nil, fmt.Errorf("waiting for the Outreach token cache lock %s: %w", lockPath, ctx.Err())
	}
	f, err := os.OpenFile(lockPath, os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		<-ch
		return nil, fmt.Errorf("opening the Outreach token cache lock: %w", err)
	}
	wait := lockPollMin
	for {
		ok, err := tryLockFile(f)
		if err != nil {
			f.Close()
			<-ch
			return nil, fmt.Errorf("locking the Outreach token cache %s: %w", lockPath, err)
		}
		if ok {
			break
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			f.Close()
			<-ch
			return nil, fmt.Errorf("waiting for the Outreach token cache lock %s (held by another process): %w", lockPath, ctx.Err())
		case <-t.C:
		}
		wait = min(wait*2, lockPollMax)
	}
	return func() {
		_ = unlockFile(f)
		_ = f.Close()
		<-ch
	}, nil
}
