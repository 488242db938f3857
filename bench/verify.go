package main

import (
	"crypto/md5"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sync"
)

// verifyTree checks that dir holds exactly the dataset's files, each with the source's MD5: a fast
// wrong answer is not a result.
func verifyTree(dir string, d *dataset) error {
	type job struct{ rel, path string }
	jobs := make(chan job)
	var (
		mu       sync.Mutex
		problems []error
		checked  int
	)
	report := func(err error) {
		mu.Lock()
		defer mu.Unlock()
		if len(problems) < 10 {
			problems = append(problems, err)
		}
	}
	var wg sync.WaitGroup
	for range max(runtime.NumCPU(), 2) {
		wg.Go(func() {
			for j := range jobs {
				sum, err := fileMD5(j.path)
				if err != nil {
					report(err)
					continue
				}
				want, ok := d.sums[j.rel]
				switch {
				case !ok:
					report(fmt.Errorf("unexpected file %s", j.rel))
				case sum != want:
					report(fmt.Errorf("%s differs from the source (MD5 %x, want %x)", j.rel, sum, want))
				default:
					mu.Lock()
					checked++
					mu.Unlock()
				}
			}
		})
	}
	err := filepath.WalkDir(dir, func(p string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		jobs <- job{filepath.ToSlash(rel), p}
		return nil
	})
	close(jobs)
	wg.Wait()
	if err != nil {
		problems = append(problems, err)
	}
	if checked != len(d.sums) && len(problems) == 0 {
		problems = append(problems, fmt.Errorf("%d of %d files present", checked, len(d.sums)))
	}
	if len(problems) > 0 {
		return fmt.Errorf("verifying %s: %w", dir, errors.Join(problems...))
	}
	return nil
}

func fileMD5(path string) ([md5.Size]byte, error) {
	var sum [md5.Size]byte
	f, err := os.Open(path)
	if err != nil {
		return sum, err
	}
	defer f.Close()
	h := md5.New()
	if _, err := io.Copy(h, f); err != nil {
		return sum, err
	}
	copy(sum[:], h.Sum(nil))
	return sum, nil
}
