package main

import (
	"bufio"
	"crypto/md5"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"time"
)

// dataset is a local tree to move, with the MD5 of every file taken while it was written, against
// which each download is checked.
type dataset struct {
	key   string // short name: containers and folders are named after it
	title string // for the table
	dir   string
	files int
	bytes int64
	sums  map[string][md5.Size]byte // '/'-separated relative path → MD5
}

// seed makes the datasets the same from run to run (the content is still incompressible).
var seed = [32]byte{'a', 'z', 's', 'y', 'n', 'c', '-', 'b', 'e', 'n', 'c', 'h'}

// makeLargeDataset writes one file of size random bytes.
func makeLargeDataset(parent string, size int64) (*dataset, error) {
	start := time.Now()
	d := &dataset{key: "large", title: fmt.Sprintf("1 file, %s", sizeString(size)), dir: filepath.Join(parent, "large"),
		files: 1, bytes: size, sums: map[string][md5.Size]byte{}}
	if err := os.MkdirAll(d.dir, 0o755); err != nil {
		return nil, err
	}
	sum, err := writeRandomFile(filepath.Join(d.dir, "large.bin"), size, rand.NewChaCha8(seed))
	if err != nil {
		return nil, err
	}
	d.sums["large.bin"] = sum
	logf("generated %s in %s", d.title, time.Since(start).Round(time.Millisecond))
	return d, nil
}

// makeSmallDataset writes n files of 1–16 KiB of random bytes spread over dirs folders.
func makeSmallDataset(parent string, n, dirs int) (*dataset, error) {
	start := time.Now()
	d := &dataset{key: "small", title: fmt.Sprintf("%d files of 1–16 KiB in %d folders", n, dirs),
		dir: filepath.Join(parent, "small"), files: n, sums: make(map[string][md5.Size]byte, n)}
	content := rand.NewChaCha8(seed)
	sizes := rand.New(rand.NewPCG(1, 2))
	for i := range n {
		folder := fmt.Sprintf("d%03d", i%dirs)
		if i < dirs {
			if err := os.MkdirAll(filepath.Join(d.dir, folder), 0o755); err != nil {
				return nil, err
			}
		}
		name := fmt.Sprintf("%s/f%05d.bin", folder, i)
		size := int64(1024 + sizes.IntN(15*1024+1))
		sum, err := writeRandomFile(filepath.Join(d.dir, filepath.FromSlash(name)), size, content)
		if err != nil {
			return nil, err
		}
		d.sums[name] = sum
		d.bytes += size
	}
	logf("generated %s (%s) in %s", d.title, sizeString(d.bytes), time.Since(start).Round(time.Millisecond))
	return d, nil
}

func writeRandomFile(path string, size int64, src io.Reader) ([md5.Size]byte, error) {
	var sum [md5.Size]byte
	f, err := os.Create(path)
	if err != nil {
		return sum, err
	}
	h := md5.New()
	w := bufio.NewWriterSize(io.MultiWriter(f, h), 1<<20)
	if _, err := io.CopyN(w, src, size); err != nil {
		f.Close()
		return sum, err
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return sum, err
	}
	if err := f.Close(); err != nil {
		return sum, err
	}
	copy(sum[:], h.Sum(nil))
	return sum, nil
}

func sizeString(n int64) string {
	switch {
	case n >= 1<<30 && n%(1<<30) == 0:
		return fmt.Sprintf("%d GiB", n>>30)
	case n >= 1<<20:
		return fmt.Sprintf("%.0f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.0f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}
