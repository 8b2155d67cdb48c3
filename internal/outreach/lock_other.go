//go:build !(darwin || dragonfly || freebsd || linux || netbsd || openbsd || windows)

package outreach

import "os"

// tryLockFile has no OS lock to take on this platform (Terraform does not ship providers for
// it): only the in-process lock applies, so processes that share a cache directory there may
// each mint. Documented rather than faked with an O_EXCL file and its stale-lock guessing.
func tryLockFile(*os.File) (bool, error) { return true, nil }

func unlockFile(*os.File) error { return nil }
