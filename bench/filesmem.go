package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"strconv"
	"strings"
)

// The files-mem part: what the Files emulator keeps per small file beyond its bytes, which decides
// whether a tree of millions of files fits in memory (target ≤ 300 bytes). It runs the emulator
// package's own benchmark (filesemu/memory_test.go), which fills an emulator in process as a sync
// uploads: a directory per 1,000 files, then Create, Put Range and Set Properties for each 1 KiB file.
type filesMemResult struct {
	files     int
	metaBytes float64 // heap per file beyond its 1,024 bytes, after a collection
}

func filesMemPart(ctx context.Context, root string, files int) (*filesMemResult, error) {
	cmd := exec.CommandContext(ctx, "go", "test", "-run", "^$", "-bench", "^BenchmarkSmallFileMemory$",
		"-benchtime", fmt.Sprintf("%dx", files), "./filesemu")
	cmd.Dir = root
	out, err := cmd.CombinedOutput()
	if err != nil {
		return nil, fmt.Errorf("go test -bench SmallFileMemory ./filesemu: %w\n%s", err, tail(string(out), 2000))
	}
	meta, err := benchMetric(out, "meta-B/file")
	if err != nil {
		return nil, err
	}
	r := &filesMemResult{files: files, metaBytes: meta}
	logf("  Files emulator: %d files of 1 KiB, %.0f bytes of bookkeeping per file", files, meta)
	return r, nil
}

// benchMetric finds a custom metric (the value before its unit) in go test -bench output.
func benchMetric(out []byte, unit string) (float64, error) {
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		for i := 1; i < len(fields); i++ {
			if fields[i] == unit {
				return strconv.ParseFloat(fields[i-1], 64)
			}
		}
	}
	return 0, fmt.Errorf("no %s in the benchmark's output:\n%s", unit, tail(string(out), 2000))
}

func renderFilesMem(b *strings.Builder, r *filesMemResult) {
	if r == nil {
		return
	}
	b.WriteString("\n## Files emulator: memory per small file\n\n")
	fmt.Fprintf(b, "- %d files of 1 KiB written in process (Create, Put Range, Set Properties; 1,000 per directory): "+
		"**%.0f bytes** of heap per file beyond its data, after a collection (target ≤ 300: %s)\n",
		r.files, r.metaBytes, verdict(r.metaBytes <= 300))
}
